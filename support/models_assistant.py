"""Help articles and other knowledge the support assistant answers from."""

__all__: list[str] = []
