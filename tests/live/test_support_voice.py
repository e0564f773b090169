"""Voice messages on real processes: espeak-ng speaks a question, the recording goes up the widget's upload path
to a uvicorn server, the live Celery worker transcribes it with the local pocketsphinx engine, and the transcript
lands in the conversation as the shopper's message, which the assistant answers.

Two ways in: Chromium holding the hold-to-talk button with espeak's WAV as its (fake) microphone, so MediaRecorder
records WebM/Opus exactly as for a person; and the same endpoint called directly with the WAV. pocketsphinx hears
espeak's "where is my order" as something like "we are the order": the tests assert a non-empty transcript that
shares a word with the sentence, and the assistant's answer, not the exact words.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.live.conftest import CHROMIUM, CHROMIUM_ARGS, require
from tests.live.helpers import login

pytestmark = [pytest.mark.live]

SENTENCE = "where is my order"
PASSWORD = "socialshop-shopper"


@pytest.fixture
def spoken_question(tmp_path) -> Path:
    require(
        shutil.which("espeak-ng") is not None,
        "needs espeak-ng to speak the test sentence (apt-get install espeak-ng)",
    )
    path = tmp_path / "question.wav"
    subprocess.run(
        ["espeak-ng", "-v", "en-us", "-s", "140", "-w", str(path), SENTENCE],
        check=True,
        capture_output=True,
    )
    return path


@pytest.fixture
def voice_stack(live_stack, celery_worker):
    """The live stack, checked to transcribe with pocketsphinx (SPEECH_TO_TEXT_BACKEND=auto picks it)."""
    name = live_stack.shell(
        "from support.speech import speech_backend\n"
        "engine = speech_backend()\n"
        "print(engine.name if engine else 'off')\n"
    ).split()[-1]
    require(
        name == "pocketsphinx", f"needs the pocketsphinx backend in the live stack (got {name})"
    )
    return live_stack


def _new_shopper(stack) -> tuple[str, str]:
    """A fresh shopper (no demo conversations: the assistant answers only chats still with it); returns the
    username and a logged-in session key."""
    username = f"voice-{uuid.uuid4().hex[:8]}"
    out = stack.shell(
        "from django.test import Client\n"
        "from shop.models import User\n"
        f"user = User.objects.create_user({username!r}, password={PASSWORD!r})\n"
        "client = Client()\n"
        "client.force_login(user)\n"
        "print(client.cookies['sessionid'].value)\n"
    )
    return username, out.split()[-1]


def _conversation_state(stack, username: str) -> dict:
    out = stack.shell(
        "import json\n"
        "from support.models import Message, VoiceMessage\n"
        f"voice = VoiceMessage.objects.filter(conversation__user__username={username!r}).last()\n"
        "messages = []\n"
        "if voice is not None:\n"
        "    messages = list(Message.objects.filter(conversation=voice.conversation)\n"
        "        .order_by('seq').values('id', 'role', 'body', 'client_id', 'payload'))\n"
        "print(json.dumps({'voice': None if voice is None else {\n"
        "    'status': voice.status, 'transcript': voice.transcript, 'backend': voice.backend,\n"
        "    'mime_type': voice.mime_type, 'message': voice.message_id, 'error': voice.error},\n"
        "    'messages': messages}))\n"
    )
    return json.loads(out.strip().splitlines()[-1])


def _wait_for_answer(stack, username: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    state: dict = {}
    while time.monotonic() < deadline:
        state = _conversation_state(stack, username)
        voice = state["voice"]
        if voice and voice["status"] != "pending":
            replies = [
                m
                for m in state["messages"]
                if m["role"] == "assistant"
                and (m["payload"] or {}).get("reply_to") == voice["message"]
            ]
            if replies or voice["status"] == "failed":
                return state
        time.sleep(1)
    raise AssertionError(f"no transcript and answer in {timeout}s: {state}")


def _assert_transcribed_and_answered(state: dict) -> None:
    voice = state["voice"]
    assert (voice["status"], voice["backend"]) == ("done", "pocketsphinx"), voice
    words = set(voice["transcript"].lower().split())
    assert words & set(SENTENCE.split()), voice["transcript"]
    shopper = next(m for m in state["messages"] if m["id"] == voice["message"])
    assert (shopper["role"], shopper["body"]) == ("shopper", voice["transcript"])
    assert shopper["payload"]["voice"]["status"] == "done"
    answer = next(
        m
        for m in state["messages"]
        if m["role"] == "assistant" and (m["payload"] or {}).get("reply_to") == shopper["id"]
    )
    assert answer["body"]


def test_spoken_question_uploaded_to_the_endpoint_is_transcribed_and_answered(
    voice_stack, spoken_question
):
    username, session = _new_shopper(voice_stack)
    token = uuid.uuid4().hex
    headers = {
        "Cookie": f"sessionid={session}; csrftoken={token}",
        "X-CSRFToken": token,
        "Accept": "application/json",
    }

    def call(path: str, body: bytes, content_type: str) -> tuple[int, dict]:
        request = urllib.request.Request(
            voice_stack.url + path,
            data=body,
            headers={**headers, "Content-Type": content_type},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())

    status, started = call("/api/v1/support/conversations/", b"{}", "application/json")
    assert status == 201
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="client_id"\r\n\r\nlive-1\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="audio"; filename="question.wav"\r\n'
            "Content-Type: audio/wav\r\n\r\n"
        ).encode()
        + spoken_question.read_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )

    status, voice = call(
        f"/api/v1/support/conversations/{started['conversation']}/voice/",
        body,
        f"multipart/form-data; boundary={boundary}",
    )

    assert (status, voice["status"], voice["mime_type"]) == (201, "pending", "audio/wav")
    _assert_transcribed_and_answered(_wait_for_answer(voice_stack, username))


@pytest.fixture
def microphone_page(spoken_question):
    """Chromium whose microphone plays espeak's WAV once (Chromium's fake capture device)."""
    require(
        Path(CHROMIUM).exists() and shutil.which("chromium") is not None, "needs Debian's chromium"
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                *CHROMIUM_ARGS,
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-audio-capture={spoken_question}%noloop",
            ],
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.grant_permissions(["microphone"])
        context.set_default_timeout(20_000)
        yield context.new_page()
        context.close()
        browser.close()


def test_holding_the_widgets_button_sends_a_spoken_question_that_the_assistant_answers(
    voice_stack, microphone_page
):
    from playwright.sync_api import expect

    page = microphone_page
    username, _session = _new_shopper(voice_stack)
    login(page, voice_stack.url, username, PASSWORD)
    page.goto(voice_stack.url + "/")
    page.click("#support-launcher [data-role=toggle]")
    button = page.locator("#support-launcher [data-role=voice]")
    button.wait_for(state="visible")
    page.locator("#support-launcher li.support-assistant").first.wait_for()  # the greeting
    expect(button).to_have_attribute("aria-pressed", "false")

    button.hover()
    page.mouse.down()
    expect(button).to_have_attribute("aria-pressed", "true")  # the visible recording state
    page.wait_for_timeout(2500)  # espeak's sentence is about 1.3 s
    page.mouse.up()

    state = _wait_for_answer(voice_stack, username)
    _assert_transcribed_and_answered(state)
    assert state["voice"]["mime_type"] == "audio/webm"
    # The transcript reaches the panel as the shopper's own message, labelled as voice, then the answer.
    mine = page.locator("#support-launcher li.support-mine:not(.support-pending)").filter(
        has=page.locator(".support-voice-label")
    )
    expect(mine.first).to_contain_text(state["voice"]["transcript"])
    expect(page.locator("#support-launcher [data-role=error]")).to_be_hidden()


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_voice_controls_pass_axe_while_recording(voice_stack, microphone_page, scheme):
    """WCAG 2.2 AA (axe-core) over the open chat panel with the hold-to-talk button in its recording state and a
    "Read aloud" button on the assistant's greeting."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect

    from tests.live.test_accessibility_browser import AXE_OPTIONS

    page = microphone_page
    page.emulate_media(color_scheme=scheme)
    username, _session = _new_shopper(voice_stack)
    login(page, voice_stack.url, username, PASSWORD)
    page.goto(voice_stack.url + "/")
    page.click("#support-launcher [data-role=toggle]")
    greeting = page.locator("#support-launcher li.support-assistant").first
    greeting.wait_for()
    expect(greeting.locator("button[data-read-aloud]")).to_have_text("Read aloud")
    button = page.locator("#support-launcher [data-role=voice]")
    button.hover()
    page.mouse.down()
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#support-launcher [data-role=voice-state]")).to_have_text(
        "Recording… release to send"
    )

    results = Axe().run(page, context="#support-launcher", options=AXE_OPTIONS).response
    page.mouse.up()

    severe = [
        f"{violation['id']}: " + ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        for violation in results["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]
    assert severe == []
