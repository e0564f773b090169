"""The console draws the shoppers' avatars: its queue (JSON) and message frames (JSON and websocket) carry the
avatar's rendition URLs, read in the same queries whatever the number of rows."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from social.models import Profile
from support import selectors, services
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_assistant")]

# The moderator check, the conversation, its access check and one page of messages joined to their authors'
# profiles (the session is read from the cache).
MESSAGE_LIST_QUERIES = 4


def _with_avatar(user, *, formats=("avif", "webp")):
    Profile.objects.update_or_create(
        user=user,
        defaults={
            "avatar": f"avatars/{user.username}.png",
            "avatar_renditions": [64, 128, 256],
            "avatar_formats": list(formats),
        },
    )
    return user


def _expected(username: str, *, avif: bool = True) -> dict[str, str]:
    base = f"/media/renditions/avatars/{username}.png"
    return {
        "src": f"{base}/64w.webp",
        "srcset": f"{base}/64w.webp 64w, {base}/128w.webp 128w, {base}/256w.webp 256w",
        "srcset_avif": (
            f"{base}/64w.avif 64w, {base}/128w.avif 128w, {base}/256w.avif 256w" if avif else ""
        ),
    }


@pytest.fixture
def staff(moderator):
    client = APIClient()
    client.force_login(moderator)
    return client


def _queue_with(count: int, moderator) -> list[str]:
    names = []
    for n in range(count):
        shopper = _with_avatar(UserFactory(username=f"face{n}"))
        waiting = services.conversation_start(user=shopper, session_key=None)
        services.conversation_request_human(conversation=waiting)
        mine = services.conversation_start(user=shopper, session_key=None)
        services.conversation_claim(conversation=mine, moderator=moderator)
        names.append(shopper.username)
    return names


@pytest.mark.parametrize("count", [2, 8])
def test_the_queue_reads_avatars_without_a_query_per_row(
    staff, moderator, count, django_assert_num_queries
):
    _queue_with(count, moderator)

    with django_assert_num_queries(6):  # the same as without avatars: the profile joins the rows
        response = staff.get(reverse("support-api:queue"))

    body = response.json()
    assert (len(body["waiting"]), len(body["mine"])) == (count, count)


def test_each_queue_row_carries_its_shoppers_avatar(staff, moderator):
    names = _queue_with(2, moderator)

    body = staff.get(reverse("support-api:queue")).json()

    assert [row["customer_avatar"] for row in body["waiting"]] == [_expected(n) for n in names]


def test_a_queue_row_without_an_avatar_carries_null(staff, moderator, user):
    waiting = services.conversation_start(user=user, session_key=None)
    services.conversation_request_human(conversation=waiting)

    [row] = staff.get(reverse("support-api:queue")).json()["waiting"]

    assert row["customer_avatar"] is None


def test_a_webp_only_avatar_has_no_avif_srcset(staff, moderator):
    shopper = _with_avatar(UserFactory(username="old"), formats=("webp",))
    waiting = services.conversation_start(user=shopper, session_key=None)
    services.conversation_request_human(conversation=waiting)

    [row] = staff.get(reverse("support-api:queue")).json()["waiting"]

    assert row["customer_avatar"] == _expected("old", avif=False)


def _conversation_with_messages(count: int, moderator):
    shopper = _with_avatar(UserFactory(username="talker"))
    _with_avatar(moderator)
    conversation = services.conversation_start(user=shopper, session_key=None)
    services.conversation_claim(conversation=conversation, moderator=moderator)
    for n in range(count):
        author, role = (shopper, "shopper") if n % 2 == 0 else (moderator, "moderator")
        services.message_post(
            conversation=conversation,
            body=f"message {n}",
            role=role,
            author=author,
            session_key=None,
            client_id=f"c{n}",
        )
    return conversation


@pytest.mark.parametrize("count", [2, 8])
def test_the_message_list_reads_avatars_without_a_query_per_message(
    staff, moderator, count, django_assert_num_queries
):
    conversation = _conversation_with_messages(count, moderator)
    url = reverse("support-api:messages", kwargs={"conversation_id": conversation.id})
    staff.get(url)  # warm what is cached per process (the moderators group check's session)

    with django_assert_num_queries(MESSAGE_LIST_QUERIES):
        response = staff.get(url)

    people = [f for f in response.json()["messages"] if f["role"] in {"shopper", "moderator"}]
    assert len(people) == count
    assert all(frame["author_avatar"] is not None for frame in people)


def test_each_message_frame_carries_its_authors_avatar(staff, moderator):
    conversation = _conversation_with_messages(2, moderator)
    url = reverse("support-api:messages", kwargs={"conversation_id": conversation.id})

    frames = staff.get(url).json()["messages"]

    people = [
        (f["author_id"], f["author_avatar"])
        for f in frames
        if f["role"] in {"shopper", "moderator"}
    ]
    assert people == [
        (conversation.user_id, _expected("talker")),
        (moderator.id, _expected("mod1")),
    ]


def test_a_posted_message_frame_carries_the_avatar_without_asking_again(
    moderator, django_assert_num_queries
):
    conversation = _conversation_with_messages(0, moderator)
    shopper = conversation.user
    selectors.author_profile_load(shopper)  # the socket does it once at connect

    result = services.message_post(
        conversation=conversation,
        body="hello",
        role="shopper",
        author=shopper,
        session_key=None,
        client_id="x",
    )
    with django_assert_num_queries(0):
        frame = selectors.message_frame(result.message)

    assert frame["author_avatar"] == _expected("talker")
