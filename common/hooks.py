"""The one sanctioned way for a lower app to let a higher app react: an explicit, typed list of callables.

A lower app declares each hook in its `hooks.py` with the callable's signature, for example

    order_placed: Hook[Callable[[Order], None]] = Hook("shop.order_placed")

calls `order_placed.fire(order)` (after commit, where the reaction has side effects), and a higher app
registers in its `AppConfig.ready()` with `order_placed.register(share_purchase)`. Every hook is listed in
docs/architecture.md. Nothing is looked up by name: an import error is an import error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Generic, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

__all__ = ["Hook"]


class Hook(Generic[P, R]):
    """An ordered list of receivers with one signature; registering the same receiver twice is a no-op."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._receivers: list[Callable[P, R]] = []

    def register(self, receiver: Callable[P, R]) -> Callable[P, R]:
        """Add `receiver` (usable as a decorator); returns it unchanged."""
        if receiver not in self._receivers:
            self._receivers.append(receiver)
        return receiver

    def fire(self, *args: P.args, **kwargs: P.kwargs) -> list[R]:
        """Call every receiver in registration order and return their results."""
        return [receiver(*args, **kwargs) for receiver in self._receivers]

    def __iter__(self) -> Iterator[Callable[P, R]]:
        return iter(tuple(self._receivers))

    def __len__(self) -> int:
        return len(self._receivers)

    def __repr__(self) -> str:
        names: list[Any] = [getattr(r, "__qualname__", r) for r in self._receivers]
        return f"Hook({self.name!r}, receivers={names})"
