"""Optional rewriting of a grounded answer by any OpenAI-compatible chat endpoint.

Off unless `SUPPORT_LLM_BASE_URL` is set (with `SUPPORT_LLM_MODEL`, and `SUPPORT_LLM_API_KEY` when the endpoint
wants one). The model only rewrites: it receives the shopper's question and the grounded answer as the facts,
and is told to add nothing. Its reply is kept only if it brings no number (order number, price, date, time
limit) that the grounded answer lacks and keeps the order number the answer is about; on any error, timeout, refusal or a failed
check the grounded answer is returned unchanged. The assistant never depends on this endpoint being up.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.request
from dataclasses import replace
from typing import Any

from django.conf import settings

from support.assistant.types import AssistantAnswer

__all__ = ["SYSTEM_PROMPT", "chat_completions_url", "llm_enabled", "rewrite_answer"]

logger = logging.getLogger(__name__)

MAX_REWRITE_CHARS = 2000

SYSTEM_PROMPT = (
    "You are the customer support assistant of Socialshop, an online shop. Rewrite the grounded answer "
    "below into a short, friendly reply to the shopper's question. Use only the facts in the grounded "
    "answer. Do not add, change or guess any order number, status, date, price, amount, time limit or "
    "policy. Keep every number exactly as written. If the grounded answer does not answer the question, "
    "return it unchanged. Reply with the answer text only, no preamble."
)

_NUMBERS = re.compile(r"[A-Z]*\d[\dA-Z.,:/-]*", re.IGNORECASE)


def llm_enabled() -> bool:
    return bool(settings.SUPPORT_LLM_BASE_URL and settings.SUPPORT_LLM_MODEL)


def chat_completions_url(base_url: str) -> str:
    base = base_url.rstrip("/")
    if base.endswith("/chat/completions"):
        return base
    if base.endswith("/v1"):
        return f"{base}/chat/completions"
    return f"{base}/v1/chat/completions"


def _numbers(text: str) -> set[str]:
    return {match.group(0).rstrip(".,:/-").upper() for match in _NUMBERS.finditer(text)}


def _request(question: str, grounded_body: str) -> str:
    payload = {
        "model": settings.SUPPORT_LLM_MODEL,
        "temperature": 0.2,
        "max_tokens": 400,
        "messages": [
            {"role": "system", "content": SYSTEM_PROMPT},
            {
                "role": "user",
                "content": f"Shopper's question:\n{question}\n\nGrounded answer (the only facts):\n"
                f"{grounded_body}",
            },
        ],
    }
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if settings.SUPPORT_LLM_API_KEY:
        headers["Authorization"] = f"Bearer {settings.SUPPORT_LLM_API_KEY}"
    request = urllib.request.Request(
        chat_completions_url(settings.SUPPORT_LLM_BASE_URL),
        data=json.dumps(payload).encode(),
        headers=headers,
        method="POST",
    )
    with urllib.request.urlopen(  # noqa: S310 - the URL is an operator setting, http(s) only
        request, timeout=settings.SUPPORT_LLM_TIMEOUT_SECONDS
    ) as response:
        data: Any = json.loads(response.read(1_000_000))
    content = data["choices"][0]["message"]["content"]
    if not isinstance(content, str):
        raise ValueError("the endpoint returned no text")
    return content.strip()


def rewrite_answer(*, question: str, grounded: AssistantAnswer) -> AssistantAnswer:
    """The grounded answer reworded by the configured model, or the grounded answer itself."""
    if not llm_enabled():
        return grounded
    if not settings.SUPPORT_LLM_BASE_URL.startswith(("http://", "https://")):
        logger.warning("SUPPORT_LLM_BASE_URL must be an http(s) URL; keeping the grounded answer")
        return grounded
    try:
        rewritten = _request(question, grounded.body)
    except (OSError, urllib.error.URLError, ValueError, KeyError, IndexError, TypeError) as error:
        logger.warning(
            "support assistant: generation failed (%s); keeping the grounded answer", error
        )
        return grounded
    if not rewritten or len(rewritten) > MAX_REWRITE_CHARS:
        logger.warning(
            "support assistant: generated answer empty or too long; kept the grounded one"
        )
        return grounded
    invented = _numbers(rewritten) - _numbers(grounded.body)
    order_number = str(grounded.payload.get("order_number") or "")
    if invented or (order_number and order_number not in rewritten):
        logger.warning(
            "support assistant: generated answer added or lost facts (%s); kept the grounded one",
            ", ".join(sorted(invented)) or order_number,
        )
        return grounded
    payload = {
        **grounded.payload,
        "generated": {"model": settings.SUPPORT_LLM_MODEL},
        "grounded_body": grounded.body,
    }
    return replace(grounded, body=rewritten, payload=payload)
