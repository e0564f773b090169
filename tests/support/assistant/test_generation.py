"""The optional generative rewrite against a small fake OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from support.assistant import AssistantAnswer, AssistantContext, answer, retrieval
from support.assistant.generation import SYSTEM_PROMPT, chat_completions_url, rewrite_answer
from support.demo.articles import seed_articles


class FakeChatServer:
    """Answers POST /v1/chat/completions with `reply` (or `status`, or after `delay`); records requests."""

    def __init__(self) -> None:
        self.reply = "Rewritten."
        self.status = 200
        self.delay = 0.0
        self.raw_body: bytes | None = None
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length", "0"))
                server.requests.append(
                    {
                        "path": self.path,
                        "authorization": self.headers.get("Authorization"),
                        "json": json.loads(self.rfile.read(length)),
                    }
                )
                if server.delay:
                    time.sleep(server.delay)
                body = (
                    server.raw_body
                    or json.dumps(
                        {
                            "id": "chatcmpl-1",
                            "object": "chat.completion",
                            "choices": [
                                {
                                    "index": 0,
                                    "message": {"role": "assistant", "content": server.reply},
                                    "finish_reason": "stop",
                                }
                            ],
                        }
                    ).encode()
                )
                self.send_response(server.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeChatServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def llm(settings):
    with FakeChatServer() as server:
        settings.SUPPORT_LLM_BASE_URL = server.url + "/v1"
        settings.SUPPORT_LLM_MODEL = "tiny-chat"
        settings.SUPPORT_LLM_API_KEY = "sk-test"
        settings.SUPPORT_LLM_TIMEOUT_SECONDS = 0.5
        yield server


GROUNDED = AssistantAnswer(
    body="Order SS261101AAAAAA is shipped. Details: placed on 1 Nov 2026, total 29.90 EUR.",
    payload={
        "sources": [{"type": "order", "number": "SS261101AAAAAA"}],
        "order_number": "SS261101AAAAAA",
    },
    confidence=1.0,
    source="Order SS261101AAAAAA",
)


def test_rewrite_sends_the_grounded_facts_and_uses_the_reply(llm):
    llm.reply = "Good news: your order SS261101AAAAAA (29.90 EUR, placed 1 Nov 2026) has shipped!"

    result = rewrite_answer(question="where is my order?", grounded=GROUNDED)

    assert result.body == llm.reply
    assert result.payload["grounded_body"] == GROUNDED.body
    assert result.payload["generated"] == {"model": "tiny-chat"}
    assert result.payload["sources"] == GROUNDED.payload["sources"]
    [request] = llm.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["authorization"] == "Bearer sk-test"
    assert request["json"]["model"] == "tiny-chat"
    system, user = request["json"]["messages"]
    assert system == {"role": "system", "content": SYSTEM_PROMPT}
    assert "where is my order?" in user["content"]
    assert GROUNDED.body in user["content"]


def test_rewrite_that_invents_a_number_is_discarded(llm):
    llm.reply = "Your order SS261101AAAAAA will arrive on 3 Nov 2026."

    result = rewrite_answer(question="where is my order?", grounded=GROUNDED)

    assert result == GROUNDED


def test_rewrite_that_drops_the_order_number_is_discarded(llm):
    llm.reply = "Your order has shipped."

    result = rewrite_answer(question="where is my order?", grounded=GROUNDED)

    assert result == GROUNDED


def test_server_error_keeps_the_grounded_answer(llm):
    llm.status = 500

    result = rewrite_answer(question="where is my order?", grounded=GROUNDED)

    assert result == GROUNDED
    assert len(llm.requests) == 1


def test_malformed_reply_keeps_the_grounded_answer(llm):
    llm.raw_body = b'{"choices": []}'

    assert rewrite_answer(question="where is my order?", grounded=GROUNDED) == GROUNDED


def test_timeout_keeps_the_grounded_answer(llm):
    llm.delay = 1.5

    started = time.monotonic()
    result = rewrite_answer(question="where is my order?", grounded=GROUNDED)

    assert result == GROUNDED
    assert time.monotonic() - started < 1.4


def test_unreachable_endpoint_keeps_the_grounded_answer(settings):
    with FakeChatServer() as server:
        url = server.url
    settings.SUPPORT_LLM_BASE_URL = url
    settings.SUPPORT_LLM_MODEL = "tiny-chat"

    assert rewrite_answer(question="where is my order?", grounded=GROUNDED) == GROUNDED


def test_generation_is_off_by_default(settings):
    assert settings.SUPPORT_LLM_BASE_URL == ""

    assert rewrite_answer(question="where is my order?", grounded=GROUNDED) is GROUNDED


@pytest.mark.parametrize(
    ("base", "url"),
    [
        ("http://127.0.0.1:9/v1", "http://127.0.0.1:9/v1/chat/completions"),
        ("http://127.0.0.1:9/v1/", "http://127.0.0.1:9/v1/chat/completions"),
        ("http://127.0.0.1:9", "http://127.0.0.1:9/v1/chat/completions"),
        ("http://h/api/v1/chat/completions", "http://h/api/v1/chat/completions"),
    ],
)
def test_chat_completions_url(base, url):
    assert chat_completions_url(base) == url


@pytest.mark.django_db
def test_answer_uses_the_rewrite_for_help_questions(llm):
    retrieval.clear_index_cache()
    seed_articles(log=lambda _message: None)
    llm.reply = "Yes! You can pay the courier in cash or by card when your parcel arrives."

    reply = answer(text="can I pay cash to the courier?", context=AssistantContext(user=None))

    assert reply.body == llm.reply
    assert reply.payload["sources"][0]["slug"] == "payment-methods"
    assert reply.payload["grounded_body"].startswith("From our help article")
    retrieval.clear_index_cache()


@pytest.mark.django_db
def test_answer_never_sends_handoffs_or_actions_to_the_model(llm):
    reply = answer(text="talk to a person", context=AssistantContext(user=None))

    assert reply.handoff is True
    assert llm.requests == []
