"""Suggested answers to product questions, measured (issue 14).

Reads tests/fixtures/product_questions.json: three products (description, attributes, reviews in English and
Chinese) and 24 questions, each with the phrases a right answer's first quoted passage contains, or `null` when
nothing in the product's text answers it (the suggestion must then say so). Runs
`shop.services.answering.suggest_answer` over the same passages the product page uses and reports the share
answered right, correctly refused, refused although answerable, and wrong (a quoted passage that does not answer
or an answer where it should refuse). Writes docs/benchmarks.md under "## Suggested answers (issue 14)".

Run: .venv/bin/python bench/product_answers.py [--no-write]   (deterministic, no timing)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path

from _docs import write_section  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "docs" / "benchmarks.md"
LABELLED = ROOT / "tests" / "fixtures" / "product_questions.json"
HEADING = "Suggested answers (issue 14)"


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.pop("DATABASE_URL", None)
    os.environ["SQLITE_PATH"] = "/tmp/socialshop-bench-answers.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def passages_for(product: dict) -> list:
    """The product page's passages, built from the fixture instead of the database (same order and shape)."""
    from shop.services.answering import Passage
    from shop.services.text_analysis import sentences

    out = [Passage("description", text) for text in sentences(product["description"])]
    for key, value in sorted(product["attributes"].items()):
        shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        out.append(Passage("attribute", f"{key.replace('_', ' ').capitalize()}: {shown}"))
    for index, review in enumerate(product["reviews"]):
        out.extend(Passage("review", text, index) for text in sentences(review))
    return out


def run() -> tuple[Counter[str], list[str]]:
    from shop.services.answering import suggest_answer

    data = json.loads(LABELLED.read_text(encoding="utf-8"))
    products = {p["key"]: passages_for(p) for p in data["products"]}
    outcome: Counter[str] = Counter()
    misses = []
    for item in data["questions"]:
        suggestion = suggest_answer(question=item["question"], passages=products[item["product"]])
        expect = item["expect"]
        if expect is None:
            kind = "wrong (answered, should refuse)" if suggestion.found else "correctly refused"
        elif not suggestion.found:
            kind = "refused although answerable"
        else:
            top = suggestion.passages[0].text
            kind = (
                "answered right"
                if any(p in top for p in expect)
                else "wrong (answered, should refuse)"
            )
            if kind != "answered right":
                kind = "wrong (quoted the wrong passage)"
        outcome[kind] += 1
        if kind not in ("answered right", "correctly refused"):
            misses.append(f"{item['question']} -> {kind}")
    return outcome, misses


KINDS = (
    "answered right",
    "correctly refused",
    "refused although answerable",
    "wrong (quoted the wrong passage)",
    "wrong (answered, should refuse)",
)


def report(outcome: Counter[str], misses: list[str]) -> str:
    total = sum(outcome.values())
    lines = [
        f"Labelled set: `tests/fixtures/product_questions.json` ({total} questions on 3 products, English and "
        "Chinese; each names the phrases a right first passage contains, or that nothing in the product's text "
        "answers it). Method: `shop.services.answering.suggest_answer` (idf-weighted coverage of the "
        "question's content words, aspect words count for their aspect, threshold 0.5), quoting only; the "
        'baseline it must beat on the refusal side is "always quote the best-matching passage", which '
        "would answer every unanswerable question wrongly.",
        "",
        "Command: `.venv/bin/python bench/product_answers.py` (deterministic, no timing).",
        "",
        "| outcome | questions | share |",
        "|---|---|---|",
    ]
    for kind in KINDS:
        lines.append(f"| {kind} | {outcome[kind]} | {outcome[kind] / total:.0%} |")
    if misses:
        lines += ["", "Misses: " + "; ".join(f'"{m}"' for m in misses) + "."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    setup_django()
    outcome, misses = run()
    body = report(outcome, misses)
    print(body)
    if not args.no_write:
        write_section(HEADING, body)
        print(f"wrote the '{HEADING}' section of {BENCHMARKS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
