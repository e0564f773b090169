"""Reading and validating the dataset interchange format (UTF-8 CSV with a header row).

- `users.csv`: `user_id` and optional attribute columns (`age,gender,occupation`, ...).
- `items.csv`: `item_id,title,category` and optional `tags` (`|`-separated), `description`, `price`. A category
  may name its ancestors with ` > ` (`Home > Garden`).
- `interactions.csv`: `user_id,item_id,kind,value,timestamp`; `kind` in view, like, wishlist, cart, purchase,
  rating; `value` is the rating (1 to 5, decimals allowed) for `rating` and otherwise 1 or empty; `timestamp` is
  ISO 8601 or Unix seconds, or empty.
- `follows.csv` (optional): `follower_id,followee_id`.

Every row is checked before anything is loaded; errors carry the file name and line number.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np

from recsys.core.types import SIGNAL_KINDS, InteractionLog, ItemMeta, UserMeta

__all__ = [
    "CATEGORY_SEPARATOR",
    "InteractionRow",
    "InterchangeData",
    "ItemRow",
    "RowError",
    "UserRow",
    "parse_timestamp",
    "read_interchange",
]

CATEGORY_SEPARATOR = " > "
MAX_ID_LENGTH = 100


@dataclass(frozen=True)
class RowError:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass(frozen=True)
class UserRow:
    user_id: str
    attributes: dict[str, str]


@dataclass(frozen=True)
class ItemRow:
    item_id: str
    title: str
    category_path: tuple[str, ...]
    tags: tuple[str, ...] = ()
    description: str = ""
    price: Decimal | None = None


@dataclass(frozen=True)
class InteractionRow:
    user_id: str
    item_id: str
    kind: str
    value: float | None
    timestamp: float | None


@dataclass
class InterchangeData:
    users: list[UserRow] = field(default_factory=list)
    items: list[ItemRow] = field(default_factory=list)
    interactions: list[InteractionRow] = field(default_factory=list)
    follows: list[tuple[str, str]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def to_core(
        self,
    ) -> tuple[InteractionLog, list[UserMeta], list[ItemMeta], list[tuple[str, str]]]:
        """The same data as `recsys.core` inputs (keys are the external ids)."""
        n = len(self.interactions)
        log = InteractionLog(
            user_keys=np.array([r.user_id for r in self.interactions], dtype=object),
            item_keys=np.array([r.item_id for r in self.interactions], dtype=object),
            kinds=np.array([r.kind for r in self.interactions], dtype=object),
            values=np.array(
                [np.nan if r.value is None else r.value for r in self.interactions], float
            )
            if n
            else np.zeros(0),
            timestamps=np.array(
                [np.nan if r.timestamp is None else r.timestamp for r in self.interactions], float
            )
            if n
            else np.zeros(0),
        )
        users = [UserMeta(key=u.user_id, attributes=u.attributes) for u in self.users]
        items = [
            ItemMeta(
                key=i.item_id,
                category_path=i.category_path,
                tags=i.tags,
                price=None if i.price is None else float(i.price),
                title=i.title,
                description=i.description,
            )
            for i in self.items
        ]
        return log, users, items, list(self.follows)


def parse_timestamp(text: str) -> float | None:
    """Unix seconds from ISO 8601 (naive means UTC) or from a number of seconds; None for empty text."""
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.timestamp()
    if not math.isfinite(value) or value < 0:
        raise ValueError("timestamp must be a non-negative number of seconds")
    return value


def _rows(
    path: Path, required: tuple[str, ...], errors: list[RowError]
) -> Iterator[tuple[int, dict]]:
    try:
        stream = path.open(newline="", encoding="utf-8")
    except OSError as error:
        errors.append(RowError(path.name, 0, f"cannot open: {error.strerror}"))
        return
    with stream:
        try:
            reader = csv.DictReader(stream)
            header = reader.fieldnames or []
            missing = [c for c in required if c not in header]
            if missing:
                errors.append(RowError(path.name, 1, f"missing column(s): {', '.join(missing)}"))
                return
            for row in reader:
                if None in row:
                    errors.append(
                        RowError(path.name, reader.line_num, "more fields than the header")
                    )
                    continue
                yield reader.line_num, {k: (v or "").strip() for k, v in row.items()}
        except UnicodeDecodeError:
            errors.append(RowError(path.name, 0, "not UTF-8 text"))
        except csv.Error as error:
            errors.append(RowError(path.name, reader.line_num, f"bad CSV: {error}"))


def _check_id(value: str, name: str) -> str | None:
    if not value:
        return f"{name} is empty"
    if len(value) > MAX_ID_LENGTH:
        return f"{name} is longer than {MAX_ID_LENGTH} characters"
    return None


def read_interchange(directory: str | Path) -> InterchangeData:
    """Read and validate a dataset folder. Check `errors` before using the rows: any error means the dataset
    must not be loaded."""
    directory = Path(directory)
    data = InterchangeData()
    errors = data.errors
    for required in ("users.csv", "items.csv", "interactions.csv"):
        if not (directory / required).is_file():
            errors.append(RowError(required, 0, "file not found"))
    if errors:
        return data

    user_ids: set[str] = set()
    for line, row in _rows(directory / "users.csv", ("user_id",), errors):
        user_id = row.pop("user_id")
        problem = _check_id(user_id, "user_id") or (
            f"duplicate user_id {user_id!r}" if user_id in user_ids else None
        )
        if problem:
            errors.append(RowError("users.csv", line, problem))
            continue
        user_ids.add(user_id)
        data.users.append(UserRow(user_id, {k: v for k, v in row.items() if v}))

    item_ids: set[str] = set()
    for line, row in _rows(directory / "items.csv", ("item_id", "title", "category"), errors):
        item_id = row["item_id"]
        problem = _check_id(item_id, "item_id") or (
            f"duplicate item_id {item_id!r}" if item_id in item_ids else None
        )
        path = tuple(p.strip() for p in row["category"].split(CATEGORY_SEPARATOR) if p.strip())
        if not problem and not row["title"]:
            problem = "title is empty"
        if not problem and not path:
            problem = "category is empty"
        if not problem and any(len(p) > 120 for p in path):
            problem = "category name longer than 120 characters"
        price = None
        if not problem and row.get("price"):
            try:
                price = Decimal(row["price"])
                if not price.is_finite() or price < 0 or price >= Decimal("100000000"):
                    raise InvalidOperation
                price = price.quantize(Decimal("0.01"))
            except InvalidOperation:
                problem = f"price {row['price']!r} is not a non-negative amount"
        if problem:
            errors.append(RowError("items.csv", line, problem))
            continue
        item_ids.add(item_id)
        tags = tuple(t.strip()[:60] for t in row.get("tags", "").split("|") if t.strip())
        data.items.append(
            ItemRow(item_id, row["title"][:200], path, tags, row.get("description", ""), price)
        )

    columns = ("user_id", "item_id", "kind", "value", "timestamp")
    for line, row in _rows(directory / "interactions.csv", columns, errors):
        problem = None
        if row["user_id"] not in user_ids:
            problem = f"unknown user_id {row['user_id']!r} (not in users.csv)"
        elif row["item_id"] not in item_ids:
            problem = f"unknown item_id {row['item_id']!r} (not in items.csv)"
        elif row["kind"] not in SIGNAL_KINDS:
            problem = f"kind {row['kind']!r} is not one of {', '.join(SIGNAL_KINDS)}"
        value: float | None = None
        if not problem and row["value"]:
            try:
                value = float(row["value"])
                if not math.isfinite(value):
                    raise ValueError
            except ValueError:
                problem = f"value {row['value']!r} is not a number"
        if not problem and row["kind"] == "rating" and (value is None or not 1 <= value <= 5):
            problem = "a rating needs a value from 1 to 5"
        if not problem and row["kind"] != "rating" and value not in (None, 1.0):
            problem = f"value must be 1 or empty for {row['kind']}"
        timestamp = None
        if not problem:
            try:
                timestamp = parse_timestamp(row["timestamp"])
            except ValueError:
                problem = f"timestamp {row['timestamp']!r} is neither ISO 8601 nor Unix seconds"
        if problem:
            errors.append(RowError("interactions.csv", line, problem))
            continue
        data.interactions.append(
            InteractionRow(row["user_id"], row["item_id"], row["kind"], value, timestamp)
        )

    follows_path = directory / "follows.csv"
    if follows_path.is_file():
        seen: set[tuple[str, str]] = set()
        for line, row in _rows(follows_path, ("follower_id", "followee_id"), errors):
            pair = (row["follower_id"], row["followee_id"])
            unknown = [p for p in pair if p not in user_ids]
            if unknown:
                errors.append(RowError("follows.csv", line, f"unknown user_id {unknown[0]!r}"))
            elif pair[0] == pair[1]:
                errors.append(RowError("follows.csv", line, "a user cannot follow themselves"))
            elif pair not in seen:
                seen.add(pair)
                data.follows.append(pair)
    return data
