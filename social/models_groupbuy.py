"""Group buying (shop together) models."""

__all__: list[str] = []
