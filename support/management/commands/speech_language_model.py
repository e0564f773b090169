"""Write the shop's own language model for PocketSphinx (help articles, categories, products, request words)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from support.speech.vocabulary import language_model_write


class Command(BaseCommand):
    help = (
        "Write an ARPA language model of the shop's own words for PocketSphinx; point "
        "SPEECH_TO_TEXT_POCKETSPHINX_LM at it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("output", type=Path, help="where to write the .lm (ARPA) file")

    def handle(self, *args, **options) -> None:
        try:
            lines = language_model_write(path=options["output"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"wrote {options['output']} from {lines} lines of shop text")
