"""Plumbing every Socialshop app uses: the rate limiter, upload checks, safe redirects, the service error type and
its API mapping, the strict JSON parser, caching (fail-soft Redis cache, edge page cache), realtime helpers.

No models and no business rules live here; it imports Django and third-party packages only, never an app.
"""
