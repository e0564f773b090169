"""The recommender's API views (routes in `recsys/api_urls.py`, which config/urls.py includes)."""
