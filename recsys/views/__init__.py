"""Recommendation pages, one module per area: widgets (and clicks), onboarding, the staff dashboard."""
