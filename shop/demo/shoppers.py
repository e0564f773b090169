"""Demo accounts: the shoppers (one password hash for all), the moderator and the admin."""

from __future__ import annotations

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from shop.demo.data import DEMO_ACCOUNTS, FIRST_NAMES, LAST_INITIALS, SHOPPER_PASSWORD
from shop.hooks import demo_accounts_created


def create_shoppers(rng: random.Random, count: int, now) -> list[int]:
    User = get_user_model()
    password_hash = make_password(
        SHOPPER_PASSWORD
    )  # one hash for every demo shopper: seconds, not minutes
    users = []
    for index in range(count):
        first = FIRST_NAMES[index % len(FIRST_NAMES)]
        last = rng.choice(LAST_INITIALS)
        username = f"{first.lower()}{last.lower()}{index + 1}"
        users.append(
            User(
                username=username,
                email=f"{username}@example.com",
                first_name=first,
                last_name=f"{last}.",
                password=password_hash,
                date_joined=now - timedelta(days=rng.randint(30, 700)),
            )
        )
    User.objects.bulk_create(users, batch_size=1000)
    accounts = []
    for username, password, flags in DEMO_ACCOUNTS:
        user = User(
            username=username,
            email=f"{username}@example.com",
            first_name=username.capitalize(),
            password=password_hash if password == SHOPPER_PASSWORD else make_password(password),
            date_joined=now - timedelta(days=400),
            **flags,
        )
        accounts.append(user)
    User.objects.bulk_create(accounts)
    moderators, _created = Group.objects.get_or_create(name="moderators")
    # Through User.groups: mypy sees the reverse `Group.user_set` only with a warm cache, so either spelling of a
    # `type: ignore` fails one of a clean or an incremental run.
    for account in accounts:
        if account.username == "moderator":
            account.groups.add(moderators)
    all_users = users + accounts
    demo_accounts_created.fire(all_users)
    return [user.id for user in users] + [accounts[0].id]
