"""The recommender's API views (routes in `recsys/api/urls.py`, which config/urls.py includes)."""
