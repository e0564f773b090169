"""Speech to text for the support chat, measured: word error rate on spoken shop sentences (issue 14).

Reads tests/fixtures/speech_sentences.json (25 labelled shop sentences, each with the intent words the
assistant needs: order, return, size, delivery...). espeak-ng speaks each into a WAV file (American English
voice, and a second, slower British voice); the chat's own decoding path (`support.speech.audio_decode`: PyAV,
16 kHz mono) turns it into the PCM every backend gets, and each PocketSphinx configuration transcribes it
through the backend interface (`support.speech.sphinx.PocketSphinxSpeech`):

- baseline: PocketSphinx's bundled general English language model, no adaptation;
- shop LM: the shop's own language model (`support.speech.vocabulary`: help articles, category and product
  names of the demo catalogue, request frames), what `SPEECH_TO_TEXT_POCKETSPHINX_LM` configures.

The shop text comes from a throwaway SQLite database seeded with the demo help articles and a demo catalogue
(200 products, no pictures); the sentences are never part of it. Reports the word error rate (word-level edit
distance / reference words, over all sentences), the share of sentences transcribed exactly, and the share
whose intent words all survive. Writes docs/benchmarks.md under "## Speech to text (issue 14)".

Run: flock /tmp/socialshop-bench.lock .venv/bin/python bench/speech_wer.py [--no-write]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _docs import write_section

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "docs" / "benchmarks.md"
LABELLED = ROOT / "tests" / "fixtures" / "speech_sentences.json"
HEADING = "Speech to text (issue 14)"
VOICES = (("en-us", 150), ("en-gb", 130))


def setup_django(db_path: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.pop("DATABASE_URL", None)
    os.environ["SQLITE_PATH"] = str(db_path)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def seed_shop_text() -> None:
    from shop.demo.catalogue import _categories, generate_products, save_products
    from support.demo.articles import seed_articles

    seed_articles(log=lambda _message: None)
    _roots, leaves = _categories()
    specs = generate_products(rng=random.Random(14), count=200, leaves=leaves, draw_images=False)
    save_products(specs)


def words(text: str) -> list[str]:
    return re.findall(r"[a-z]+(?:'[a-z]+)?", text.lower())


def edit_distance(reference: list[str], hypothesis: list[str]) -> int:
    previous = list(range(len(hypothesis) + 1))
    for i, ref_word in enumerate(reference, 1):
        current = [i] + [0] * len(hypothesis)
        for j, hyp_word in enumerate(hypothesis, 1):
            current[j] = min(
                previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref_word != hyp_word)
            )
        previous = current
    return previous[-1]


def speak(text: str, voice: str, speed: int, path: Path) -> bytes:
    subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(path), text],
        check=True,
        capture_output=True,
    )
    return path.read_bytes()


def evaluate(backend, clips: list) -> dict:
    errors = reference_words = exact = intents = 0
    samples: list[str] = []
    started = time.perf_counter()
    for item, audio in clips:
        hypothesis = words(backend.transcribe(audio))
        reference = words(item["text"])
        distance = edit_distance(reference, hypothesis)
        errors += distance
        reference_words += len(reference)
        exact += distance == 0
        intents += all(word in hypothesis for word in item["intent"])
        if len(samples) < 4 and distance:
            samples.append(f'"{item["text"]}" -> "{" ".join(hypothesis)}"')
    return {
        "wer": errors / reference_words,
        "exact": exact / len(clips),
        "intents": intents / len(clips),
        "seconds": (time.perf_counter() - started) / len(clips),
        "samples": samples,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/ alone")
    args = parser.parse_args()
    sentences = json.loads(LABELLED.read_text(encoding="utf-8"))["sentences"]
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        setup_django(folder / "speech.sqlite3")
        from support.speech import audio_decode
        from support.speech.sphinx import PocketSphinxSpeech
        from support.speech.vocabulary import language_model_write

        seed_shop_text()
        lm_path = folder / "shop.lm"
        corpus_lines = language_model_write(path=lm_path)
        backends = {
            "baseline: PocketSphinx general English LM": PocketSphinxSpeech(),
            "shop LM (help articles, catalogue, request frames)": PocketSphinxSpeech(
                lm_path=str(lm_path)
            ),
        }
        rows = []
        notes = []
        for voice, speed in VOICES:
            clips = []
            for index, item in enumerate(sentences):
                data = speak(item["text"], voice, speed, folder / f"{voice}-{index}.wav")
                clips.append((item, audio_decode(data, max_seconds=60)))
            baseline_wer = None
            for label, backend in backends.items():
                result = evaluate(backend, clips)
                baseline_wer = result["wer"] if baseline_wer is None else baseline_wer
                ratio = result["wer"] / baseline_wer if baseline_wer else float("nan")
                print(
                    f"{voice} {label}: WER {result['wer']:.1%} ({ratio:.2f}x baseline), exact "
                    f"{result['exact']:.0%}, intent words kept {result['intents']:.0%}, "
                    f"{result['seconds'] * 1000:.0f} ms per sentence"
                )
                rows.append(
                    f"| espeak-ng {voice}, {speed} wpm | {label} | {result['wer']:.1%} | "
                    f"{ratio:.2f}x | {result['exact']:.0%} | {result['intents']:.0%} | "
                    f"{result['seconds'] * 1000:.0f} |"
                )
                short = label.split(" (")[0].split(":")[0]
                notes += [f"{voice}, {short}: {s}" for s in result["samples"][:2]]
    load_after = os.getloadavg()[0]

    body = f"""{len(sentences)} labelled shop sentences (`tests/fixtures/speech_sentences.json`), spoken by `espeak-ng`
into WAV, decoded by the chat's own path (`support.speech.audio_decode`, 16 kHz mono) and transcribed by
PocketSphinx 5 through the backend interface (`support.speech.sphinx.PocketSphinxSpeech`). WER = word edit
distance / reference words over all sentences; "intent words kept" = sentences whose request words (order,
return, size, delivery...) all appear in the transcript. The shop LM is a trigram model
(`support.speech.vocabulary`, {corpus_lines} lines: the demo help articles, the categories and 200 demo product
names, and the request frames the assistant's intents react to), built in the same run; the sentences are not in
it. Configure it with `manage.py speech_language_model PATH` and `SPEECH_TO_TEXT_POCKETSPHINX_LM=PATH`.

| voice | language model | WER | vs baseline | exact | intent words kept | ms per sentence |
|---|---|---|---|---|---|---|
{chr(10).join(rows)}

Examples: {"; ".join(notes) or "none"}.

Synthetic speech is not a shopper's voice: these figures compare configurations on the same audio, they do not
predict real-world accuracy (an OpenAI-compatible Whisper server, `SPEECH_TO_TEXT_URL`, is the backend for that).

Command: `flock /tmp/socialshop-bench.lock .venv/bin/python bench/speech_wer.py` ({time.strftime("%Y-%m-%d", time.gmtime())},
Python {platform.python_version()}, load average {load_before:.2f} before, {load_after:.2f} after; deterministic
apart from the timing column).
"""
    print(body)
    if not args.no_write:
        write_section(HEADING, body)
        print(f"wrote the '{HEADING}' section of {BENCHMARKS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
