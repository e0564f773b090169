"""External ids of imported datasets, so that imports are idempotent and exports speak the source ids."""

__all__: list[str] = []
