"""Convert the research datasets in /work/shared/data to the interchange format under bench/data/<name>/.

MovieLens 100K (GroupLens; Harper & Konstan 2015), FilmTrust (Guo, Zhang & Yorke-Smith, IJCAI 2013) and Last.fm
hetrec2011-lastfm-2k (GroupLens, HetRec 2011; Cantador, Brusilovsky & Kuflik 2011) are for research use only:
the converted files stay in bench/data/ (git-ignored) and are never committed.

    .venv/bin/python bench/convert_datasets.py [--source /work/shared/data] [--out bench/data]
"""

from __future__ import annotations

import argparse
import csv
import math
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DEFAULT_SOURCE = Path("/work/shared/data")


def _write(path: Path, header: list[str], rows) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def _age_band(age: int) -> str:
    for limit, label in (
        (18, "under-18"),
        (25, "18-24"),
        (35, "25-34"),
        (45, "35-44"),
        (55, "45-54"),
    ):
        if age < limit:
            return label
    return "55+"


def convert_movielens(source: Path, out: Path) -> dict[str, int]:
    genres = [
        line.split("|")[0]
        for line in (source / "u.genre").read_text("latin-1").splitlines()
        if line
    ]
    users = []
    for line in (source / "u.user").read_text("latin-1").splitlines():
        user_id, age, gender, occupation, _zip = line.split("|")
        users.append((user_id, _age_band(int(age)), gender, occupation))
    items = []
    for line in (source / "u.item").read_text("latin-1").splitlines():
        fields = line.split("|")
        flags = [genres[i] for i, flag in enumerate(fields[5:24]) if flag == "1"]
        year = fields[2][-4:] if fields[2] else ""
        category = flags[0] if flags else "unknown"
        description = f"released {year}" if year else ""
        items.append((fields[0], fields[1], category, "|".join(flags), description, ""))
    interactions = []
    for line in (source / "u.data").read_text().splitlines():
        user_id, item_id, rating, stamp = line.split("\t")
        interactions.append((user_id, item_id, "rating", rating, stamp))
    return {
        "users": _write(out / "users.csv", ["user_id", "age", "gender", "occupation"], users),
        "items": _write(
            out / "items.csv",
            ["item_id", "title", "category", "tags", "description", "price"],
            items,
        ),
        "interactions": _write(
            out / "interactions.csv",
            ["user_id", "item_id", "kind", "value", "timestamp"],
            interactions,
        ),
    }


def convert_filmtrust(source: Path, out: Path) -> dict[str, int]:
    ratings = []
    for line in (source / "ratings.txt").read_text().splitlines():
        if line.strip():
            user_id, item_id, value = line.split()
            # 0.5-4.0 stars mapped linearly onto the interchange format's 1-5.
            ratings.append((user_id, item_id, round(1 + (float(value) - 0.5) * 4 / 3.5, 3)))
    trust = []
    for line in (source / "trust.txt").read_text().splitlines():
        if line.strip():
            truster, trustee, _ = line.split()
            if truster != trustee:
                trust.append((truster, trustee))
    user_ids = sorted({r[0] for r in ratings} | {t for pair in trust for t in pair}, key=int)
    item_ids = sorted({r[1] for r in ratings}, key=int)
    return {
        "users": _write(out / "users.csv", ["user_id"], ((u,) for u in user_ids)),
        "items": _write(
            out / "items.csv",
            ["item_id", "title", "category"],
            ((i, f"Film {i}", "Films") for i in item_ids),
        ),
        "interactions": _write(
            out / "interactions.csv",
            ["user_id", "item_id", "kind", "value", "timestamp"],
            ((u, i, "rating", v, "") for u, i, v in ratings),
        ),
        "follows": _write(out / "follows.csv", ["follower_id", "followee_id"], sorted(set(trust))),
    }


def _tsv(path: Path) -> list[list[str]]:
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return [line.split("\t") for line in lines[1:] if line.strip()]


def _play_ratings(listens: list[list[str]]) -> dict[tuple[str, str], float]:
    """Listen counts as implicit 1-5 ratings: log plays scaled to each user's own range (a user's most played
    artist is 5, the least played 1), so heavy listeners do not dominate and a favourite weighs more than an
    artist played once."""
    by_user: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for user, artist, plays in listens:
        by_user[user].append((artist, math.log1p(float(plays))))
    ratings = {}
    for user, pairs in by_user.items():
        low = min(v for _, v in pairs)
        high = max(v for _, v in pairs)
        for artist, value in pairs:
            scaled = 1 + 4 * (value - low) / (high - low) if high > low else 5.0
            ratings[(user, artist)] = round(scaled, 3)
    return ratings


def convert_lastfm(
    source: Path, out: Path, *, tags_per_artist: int = 10, weighting: str = "plays"
) -> dict[str, int]:
    names = {row[0]: row[1] for row in _tsv(source / "artists.dat")}
    tag_names = {
        row[0]: row[1]
        for row in (
            line.split("\t")
            for line in (source / "tags.dat").read_text(encoding="latin-1").splitlines()[1:]
            if line
        )
    }
    tag_counts: dict[str, Counter] = defaultdict(Counter)
    for row in _tsv(source / "user_taggedartists.dat"):
        tag_counts[row[1]][row[2]] += 1
    listens = _tsv(source / "user_artists.dat")
    friends = _tsv(source / "user_friends.dat")
    artist_ids = sorted({row[1] for row in listens}, key=int)
    user_ids = sorted(
        {row[0] for row in listens} | {f for row in friends for f in row[:2]}, key=int
    )

    def item_rows():
        for artist in artist_ids:
            tags = [
                tag_names.get(t, t).replace("|", "/")
                for t, _ in tag_counts[artist].most_common(tags_per_artist)
            ]
            yield artist, names.get(artist, f"Artist {artist}"), "Music", "|".join(tags)

    def interaction_rows():
        # Every listened pair is one positive either way. With "plays" the listen count sets its weight (as an
        # implicit rating, see _play_ratings); with "like" every pair weighs the same.
        if weighting == "like":
            yield from ((u, a, "like", "", "") for u, a, _w in listens)
            return
        ratings = _play_ratings(listens)
        yield from ((u, a, "rating", ratings[(u, a)], "") for u, a, _w in listens)

    return {
        "users": _write(out / "users.csv", ["user_id"], ((u,) for u in user_ids)),
        "items": _write(out / "items.csv", ["item_id", "title", "category", "tags"], item_rows()),
        "interactions": _write(
            out / "interactions.csv",
            ["user_id", "item_id", "kind", "value", "timestamp"],
            interaction_rows(),
        ),
        "follows": _write(
            out / "follows.csv",
            ["follower_id", "followee_id"],
            ((a, b) for a, b in friends if a != b),
        ),
    }


CONVERTERS: dict[str, tuple[str, Callable[..., dict[str, int]]]] = {
    "ml-100k": ("ml-100k", convert_movielens),
    "filmtrust": ("filmtrust", convert_filmtrust),
    "lastfm": ("lastfm-hetrec2011", convert_lastfm),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=ROOT / "data")
    parser.add_argument("names", nargs="*", default=list(CONVERTERS))
    parser.add_argument(
        "--lastfm-weighting",
        choices=["plays", "like"],
        default="plays",
        help="Last.fm: weigh each artist by its listen count (default) or every artist the same",
    )
    args = parser.parse_args()
    for name in args.names:
        folder, convert = CONVERTERS[name]
        options = {"weighting": args.lastfm_weighting} if name == "lastfm" else {}
        counts = convert(args.source / folder, args.out / name, **options)
        print(
            f"{name}: "
            + ", ".join(f"{k} {v:,}" for k, v in counts.items())
            + f" -> {args.out / name}"
        )


if __name__ == "__main__":
    main()
