import pytest

from shop.services.answering import Passage, suggest_answer
from shop.services.text_analysis import aspect_mentions, content_tokens, sentences


def _pairs(text: str) -> list[tuple[str, str]]:
    return sorted((m.aspect, m.polarity) for m in aspect_mentions(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Comfortable but runs small.", [("comfort", "positive"), ("fit", "negative")]),
        ("The quality is not good.", [("quality", "negative")]),
        (
            "Shipping was fast. The colour is lovely!",
            [("delivery", "positive"), ("look", "positive")],
        ),
        ("电池续航很好，但是物流太慢了。", [("battery", "positive"), ("delivery", "negative")]),
        ("做工不错，尺码偏小。", [("fit", "negative"), ("quality", "positive")]),
        ("I bought it for my brother.", []),
    ],
)
def test_aspect_mentions(text, expected):
    assert _pairs(text) == expected


def test_sentences_split_english_and_chinese():
    assert sentences("Great fit! Arrived late.\n很好。太贵了") == [
        "Great fit!",
        "Arrived late.",
        "很好。",
        "太贵了",
    ]


def test_content_tokens_drop_question_words_and_segment_chinese():
    assert content_tokens("这款鞋子尺码偏大吗？") == ["款", "鞋子", "尺码", "偏大"]
    assert content_tokens("Does the battery last?") == ["battery", "last"]


def test_suggest_answer_matches_through_aspects_in_chinese():
    passages = [Passage("review", "续航能用两天。", 7), Passage("review", "颜色很好看。", 8)]
    suggestion = suggest_answer(question="电池续航怎么样？", passages=passages)
    assert suggestion.found is True
    assert [p.review_id for p in suggestion.passages] == [7]


def test_suggest_answer_refuses_without_passages():
    assert suggest_answer(question="Is it warm?", passages=[]).as_json() == {
        "found": False,
        "passages": [],
    }


def _labelled(name: str) -> list[dict]:
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "fixtures" / name
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@pytest.mark.parametrize("name", ["review_aspects.jsonl", "review_aspects_heldout.jsonl"])
def test_labelled_sets_are_well_formed(name):
    rows = _labelled(name)
    aspects = {"fit", "quality", "battery", "delivery", "price", "comfort", "look", "sound"}
    assert {row["lang"] for row in rows} == {"en", "zh"}
    for row in rows:
        assert 1 <= row["rating"] <= 5
        assert all(a in aspects and p in ("positive", "negative") for a, p in row["labels"])


def test_text_and_stars_recall_more_than_stars_alone_on_the_held_out_set():
    from shop.services.text_analysis import ASPECTS, tokens

    rows = _labelled("review_aspects_heldout.jsonl")
    gold = {(i, a, p) for i, row in enumerate(rows) for a, p in row["labels"]}
    ours, stars_only = set(), set()
    for i, row in enumerate(rows):
        ours |= {
            (i, m.aspect, m.polarity) for m in aspect_mentions(row["text"], rating=row["rating"])
        }
        polarity = "positive" if row["rating"] >= 4 else "negative" if row["rating"] <= 2 else None
        words = set(tokens(row["text"]))
        if polarity:
            stars_only |= {(i, a, polarity) for a, names in ASPECTS.items() if words & names}
    assert len(ours & gold) > len(stars_only & gold)
    assert len(ours & gold) / len(ours) >= 0.9


def test_suggestions_never_answer_the_unanswerable_questions_of_the_labelled_set():
    import json
    from pathlib import Path

    from shop.services.text_analysis import sentences

    data = json.loads(
        (Path(__file__).resolve().parents[2] / "fixtures" / "product_questions.json").read_text(
            encoding="utf-8"
        )
    )
    passages = {
        p["key"]: [Passage("description", t) for t in sentences(p["description"])]
        + [Passage("review", t, i) for i, r in enumerate(p["reviews"]) for t in sentences(r)]
        for p in data["products"]
    }
    unanswerable = [q for q in data["questions"] if q["expect"] is None]
    assert unanswerable
    for item in unanswerable:
        assert not suggest_answer(
            question=item["question"], passages=passages[item["product"]]
        ).found
