"""Shared helpers for the recommender benchmarks: loading converted datasets and writing docs/benchmarks.md."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The recommender benches import the docs writer from here; its one home is bench/_docs.py.
from _docs import write_section  # noqa: E402

from recsys.core import build_dataset  # noqa: E402
from recsys.core.interchange import read_interchange  # noqa: E402

__all__ = ["CITATIONS", "ROOT", "load", "write_section"]

DATA = ROOT / "bench" / "data"
BENCHMARKS = ROOT / "docs" / "benchmarks.md"

CITATIONS = """Datasets (research use only; converted by `bench/convert_datasets.py` into the git-ignored `bench/data/`,
never committed): MovieLens 100K, F. M. Harper and J. A. Konstan, "The MovieLens Datasets: History and Context",
ACM TiiS 5(4), 2015 (GroupLens); FilmTrust, G. Guo, J. Zhang and N. Yorke-Smith, "A Novel Bayesian Similarity
Measure for Recommender Systems", IJCAI 2013; Last.fm hetrec2011-lastfm-2k, I. Cantador, P. Brusilovsky and
T. Kuflik, "2nd Workshop on Information Heterogeneity and Fusion in Recommender Systems (HetRec 2011)", RecSys
2011, with data from Last.fm (http://www.lastfm.com)."""


def load(name: str, params):
    folder = DATA / name
    if not folder.is_dir():
        raise SystemExit(
            f"{folder} is missing: run .venv/bin/python bench/convert_datasets.py first"
        )
    data = read_interchange(folder)
    if data.errors:
        raise SystemExit(f"{name}: {len(data.errors)} bad rows, first: {data.errors[0]}")
    log, users, items, follows = data.to_core()
    return build_dataset(log, users=users, items=items, follows=follows, params=params)
