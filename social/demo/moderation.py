"""Demo moderation: a few open reports on reviews, posts and a user, so the moderation queue has something to
show. Reports go through `report_create`, so the demo obeys the same rules as real use.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from django.contrib.auth import get_user_model

from shop.models import Review
from social.models import Post, Report
from social.services import ModerationError, report_create

__all__ = ["reports_seed"]

REPORT_NOTES = {
    "spam": "Looks like an advert with a link.",
    "abuse": "Insulting other shoppers.",
    "inappropriate": "Not suitable for the site.",
    "other": "",
}


def reports_seed(*, rng: random.Random, small: bool, log: Callable[[str], None]) -> None:
    User = get_user_model()
    reporters = list(
        User.objects.filter(is_staff=False, is_active=True)
        .exclude(username="shopper")
        .order_by("id")[:100]
    )
    if len(reporters) < 3:
        log("    too few shoppers: no demo reports")
        return
    targets: list = []
    targets += list(Review.objects.order_by("id")[: 2 if small else 4])
    targets += list(Post.objects.filter(is_hidden=False).order_by("id")[: 2 if small else 3])
    targets += list(User.objects.filter(is_staff=False).order_by("-id")[:1])
    made = 0
    for target in targets:
        for reporter in rng.sample(reporters, rng.randint(1, 3)):
            reason = rng.choice(list(REPORT_NOTES))
            try:
                report_create(
                    reporter=reporter, target=target, reason=reason, note=REPORT_NOTES[reason]
                )
                made += 1
            except ModerationError:
                continue  # e.g. a reporter's own review
    log(
        f"    {made} open reports on "
        f"{Report.objects.filter(status='open').values('content_type', 'object_id').distinct().count()}"
        " targets"
    )
