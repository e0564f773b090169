"""Support assistant retrieval benchmark (issue 5).

Builds a throwaway SQLite database, seeds the demo help articles and asks the paraphrased questions from
tests/support/assistant/test_retrieval.py. Prints, per retrieval backend (TF-IDF always; semantic when the
optional extra is installed): top-1 and top-3 accuracy, index build time and per-question latency (median and
p95 over repeated runs), then writes them to docs/benchmarks.md under "## Support assistant (issue 5)".

Run: .venv/bin/python bench/assistant_eval.py [--repeats 5] [--no-write]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _docs import write_section  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "docs" / "benchmarks.md"
HEADING = "Support assistant (issue 5)"


def setup_django(db_path: Path) -> None:
    sys.path.insert(0, str(ROOT))
    # A private database: never the developer's db.sqlite3, never a configured PostgreSQL.
    os.environ.pop("DATABASE_URL", None)
    os.environ["SQLITE_PATH"] = str(db_path)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def evaluate(backend: str, repeats: int) -> dict:
    from support.assistant import retrieval
    from tests.support.assistant.test_retrieval import PARAPHRASES

    retrieval.clear_index_cache()
    started = time.perf_counter()
    retrieval.get_index(backend)
    build_seconds = time.perf_counter() - started

    top1 = top3 = 0
    misses = []
    for question, expected in PARAPHRASES:
        slugs = [hit.slug for hit in retrieval.search(question, k=3, backend_name=backend)]
        top1 += bool(slugs) and slugs[0] == expected
        top3 += expected in slugs
        if not slugs or slugs[0] != expected:
            misses.append((question, expected, slugs[0] if slugs else ""))
    latencies = []
    for _ in range(repeats):
        for question, _expected in PARAPHRASES:
            started = time.perf_counter()
            retrieval.search(question, k=3, backend_name=backend)
            latencies.append((time.perf_counter() - started) * 1000)
    return {
        "backend": backend,
        "questions": len(PARAPHRASES),
        "top1": top1 / len(PARAPHRASES),
        "top3": top3 / len(PARAPHRASES),
        "build_ms": build_seconds * 1000,
        "median_ms": statistics.median(latencies),
        "p95_ms": percentile(latencies, 0.95),
        "misses": misses,
    }


def semantic_available() -> tuple[bool, str]:
    from support.assistant import retrieval

    try:
        retrieval.make_backend("semantic")
    except retrieval.RetrievalUnavailable as error:
        return False, str(error)
    return True, ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed passes over the question set")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/ alone")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        setup_django(Path(folder) / "assistant_eval.sqlite3")
        from support.demo.articles import DEMO_ARTICLES, seed_articles

        seed_articles(log=print)
        backends = ["tfidf"]
        available, reason = semantic_available()
        if available:
            backends.append("semantic")
        else:
            print(f"semantic backend skipped: {reason}")
        results = [evaluate(backend, args.repeats) for backend in backends]

    rows = []
    for result in results:
        print(
            f"{result['backend']:>8}: top-1 {result['top1']:.1%}, top-3 {result['top3']:.1%} of "
            f"{result['questions']} paraphrased questions; index build {result['build_ms']:.0f} ms; "
            f"search median {result['median_ms']:.2f} ms, p95 {result['p95_ms']:.2f} ms"
        )
        for question, want, got in result["misses"]:
            print(f"          miss: {question!r}: want {want}, got {got}")
        rows.append(
            f"| {result['backend']} | {result['top1']:.1%} | {result['top3']:.1%} | "
            f"{result['build_ms']:.0f} | {result['median_ms']:.2f} | {result['p95_ms']:.2f} |"
        )
    if not available:
        rows.append("| semantic | not measured: optional extra not installed | | | | |")

    body = f"""Retrieval over the {len(DEMO_ARTICLES)} demo help articles (`support/demo/articles.py`) with the
{results[0]["questions"]} paraphrased shopper questions of `tests/support/assistant/test_retrieval.py` (varied
wording, no copied titles). Top-1 is the share whose expected article ranks first (the test requires at least
80% for TF-IDF). Latency is one `retrieval.search()` call on a warm, cached index, including the one aggregate
query that checks whether articles changed (SQLite), over {args.repeats} passes.

| backend | top-1 | top-3 | index build (ms) | search median (ms) | search p95 (ms) |
|---|---|---|---|---|---|
{chr(10).join(rows)}

Measured {time.strftime("%Y-%m-%d", time.gmtime())} on Python {platform.python_version()}, 2 shared cores.
Rerun: `.venv/bin/python bench/assistant_eval.py` (semantic row: `pip install -e '.[semantic]'` first).
"""
    if not args.no_write:
        write_section(HEADING, body)
        print(f"wrote the '{HEADING}' section of {BENCHMARKS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
