"""Concurrent writers of one conversation on PostgreSQL: sequence numbers without gaps, ids in commit order, and a
frame sent twice at the same moment stored once (the unique constraint, not a read before the write)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from support import services
from support.models import Conversation, Message

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run_at_once(work, count: int) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture
def waiting(conversation):
    return services.conversation_request_human(conversation=conversation)


def test_concurrent_messages_get_gapless_seqs_and_ids_in_seq_order(waiting, user, settings):
    settings.SUPPORT_RATE_LIMIT_MESSAGES = 1000

    def write(index: int) -> list[int]:
        conversation = Conversation.objects.get(pk=waiting.pk)
        return [
            services.message_post(
                conversation=conversation,
                body=f"{index}-{n}",
                role="shopper",
                author=user,
                client_id=f"t{index}-{n}",
            ).message.id
            for n in range(10)
        ]

    results = _run_at_once(write, 6)
    assert not [r for r in results if isinstance(r, Exception)]
    stored = list(Message.objects.filter(conversation=waiting).order_by("seq"))
    assert [m.seq for m in stored] == list(range(1, len(stored) + 1))
    assert [m.id for m in stored] == sorted(m.id for m in stored)
    assert len([m for m in stored if m.role == "shopper"]) == 60


def test_the_same_frame_sent_at_once_is_stored_once(waiting, user):
    def send(_index: int) -> tuple[int, bool]:
        conversation = Conversation.objects.get(pk=waiting.pk)
        result = services.message_post(
            conversation=conversation, body="twice", role="shopper", author=user, client_id="dup"
        )
        return result.message.id, result.created

    results = _run_at_once(send, 4)
    assert not [r for r in results if isinstance(r, Exception)]
    assert len({message_id for message_id, _created in results}) == 1
    assert sum(created for _id, created in results) == 1
    assert Message.objects.filter(conversation=waiting, client_id="dup").count() == 1


def test_starts_at_once_give_one_open_conversation(user):
    """A double click or two tabs: the shopper's starts are serialised, the second finds the first's."""

    def start(_index: int) -> tuple[int, bool]:
        opened = services.conversation_open(user=user, session_key=None)
        return opened.conversation.id, opened.created

    results = _run_at_once(start, 4)
    assert not [r for r in results if isinstance(r, Exception)]
    assert len({conversation_id for conversation_id, _created in results}) == 1
    assert sum(created for _id, created in results) == 1
    assert Conversation.objects.filter(user=user).count() == 1
