"""Plain text analysis for product conversations, English and Chinese: sentences, tokens, aspects and polarity.

No Django here: the review highlights, the suggested answers and the benchmark call these functions on plain
strings. Chinese is segmented with jieba (dictionary loaded once, lazily); Latin text is split on word
characters. Aspects and polarity come from small hand-made lexicons (below) with clause splitting on
contrast words ("but", "但是") and a negation window, so "comfortable but runs small" gives comfort positive and
fit negative. The lexicons are the model: measured in bench/review_highlights.py on a labelled set.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import cache
from types import ModuleType

__all__ = [
    "ASPECTS",
    "AspectMention",
    "aspect_mentions",
    "content_tokens",
    "sentences",
    "tokens",
]

_CJK = re.compile(r"[\u3400-\u9fff]+")
_TOKEN = re.compile(r"[\u3400-\u9fff]+|[a-z0-9]+(?:'[a-z]+)?")
_CONTRAST = re.compile(
    r"\b(?:but|however|although|though|while|yet|whereas)\b|但是|但|不过|可是|就是", re.IGNORECASE
)
_SENTENCE_END = re.compile(r"(?<=[.!?。！？；;])\s*|\n+")
_CLAUSE_SPLIT = re.compile(
    r"\s*[,，、:：]\s*|\s*\b(?:but|however|although|though|while|yet|whereas)\b\s*|\s*(?:但是|但|不过|可是|就是)\s*",
    re.IGNORECASE,
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# What a question asks without saying what about: left out of matching.
_STOPWORDS = _words(
    """a an the is are was were be been am do does did doing have has had i me my we our you your it its this
    that these those of in on at to for from by with about as and or if so than then there here what which who
    whom how when where why can could would should will shall may might must any some much many very really
    just also too not no yes get got one ones they them their he she his her it's i'm im please
    的 了 吗 呢 吧 啊 是 在 和 有 我 你 他 她 它 这 那 个 也 都 就 还 么 什么 怎么 怎么样 如何 多少 可以 能 会
    请问 一下 这个 那个 这款 一个"""
)

# Aspect -> words that name it (English, stemmed like `tokens` does; Chinese jieba words).
ASPECTS: dict[str, frozenset[str]] = {
    "fit": _words(
        "size sizes sizing fit fits fitting fitted small large big tight loose snug "
        "尺码 码 尺寸 合身 偏大 偏小 大小 紧 松"
    ),
    "quality": _words(
        "quality material materials stitching stitch seams durable sturdy flimsy build built made "
        "质量 做工 材质 材料 结实 用料 质感"
    ),
    "battery": _words("battery batteries charge charging charger 电池 续航 充电 电量 充电器 没电"),
    "delivery": _words(
        "delivery delivered shipping shipped arrived arrival package packaging courier "
        "物流 快递 发货 包装 送货 到货"
    ),
    "price": _words(
        "price priced overpriced value money worth expensive cheap bargain cost "
        "价格 价钱 性价比 便宜 贵 太贵 划算 价位"
    ),
    "comfort": _words(
        "comfortable comfort uncomfortable soft cushioning cushioned 舒服 舒适 柔软 透气 磨脚"
    ),
    "look": _words(
        "colour color colours colors look looks looking design style pretty beautiful ugly "
        "颜色 外观 好看 款式 颜值 难看 设计"
    ),
    "sound": _words("sound noise noisy loud quiet bass audio 音质 声音 噪音 低音"),
}

_POSITIVE = _words(
    """good great excellent perfect perfectly love loved lovely nice amazing awesome fantastic happy well fine
    comfortable sturdy durable solid soft fast quick quickly worth recommend recommended beautiful pretty quiet
    bargain true exactly impressed best better reliable long lasts lasting accurate clear sleek
    好 很好 不错 满意 喜欢 快 很快 舒服 舒适 结实 值 值得 推荐 好看 漂亮 划算 便宜 耐用 清晰 柔软 合身 完美 惊喜 持久
    给力 挺好 超好 合适 精细 扎实"""
)
_NEGATIVE = _words(
    """bad poor poorly terrible awful horrible broke broken break breaks cheaply flimsy slow late delayed small
    tight loose large big uncomfortable disappointing disappointed damaged dies died drains drained short
    expensive overpriced noisy ugly worse worst returned return fell faded tore ripped scratchy hurt hurts
    hate hated apart stopped useless tinny
    差 很差 慢 太慢 坏 坏了 失望 不好 偏小 偏大 破损 贵 太贵 难看 掉色 起球 开线 异味 短 难受 磨脚 卡顿 吵 漏 一般 严重"""
)
# Words that flip the polarity of a sentiment word right after them.
_NEGATORS = _words(
    "not no never don't doesn't didn't isn't wasn't aren't hardly barely 不 没 没有 别 不太 不是 并不"
)
# "too" before praise is no praise: "too soft".
_TOO = frozenset(["too", "太"])

_SINGULAR_EXCEPTIONS = frozenset(["does", "this", "thus", "plus", "bus", "yes", "less"])


@dataclass(frozen=True)
class AspectMention:
    aspect: str
    polarity: str  # "positive" | "negative"
    text: str  # the sentence it was found in


@cache
def _jieba() -> ModuleType:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    for word in (
        "性价比",
        "偏小",
        "偏大",
        "掉色",
        "起球",
        "开线",
        "磨脚",
        "不太",
        "颜值",
        "续航",
        "太贵",
        "太慢",
        "合适",
        "充电器",
    ):
        jieba.add_word(word)
    return jieba


def _normal(word: str) -> str:
    """A light English stemmer: a final 's' off ("lasts" meets "last", "sizes" meets "size")."""
    if (
        word in _SINGULAR_EXCEPTIONS
        or len(word) <= 3
        or not word.endswith("s")
        or word.endswith("ss")
    ):
        return word
    return word[:-1]


def _normal_set(words: frozenset[str]) -> frozenset[str]:
    return frozenset(_normal(word) for word in words)


ASPECTS = {aspect: _normal_set(names) for aspect, names in ASPECTS.items()}
_POSITIVE = _normal_set(_POSITIVE)
_NEGATIVE = _normal_set(_NEGATIVE)


def tokens(text: str) -> list[str]:
    """Lower-cased words; Chinese runs are segmented with jieba."""
    out: list[str] = []
    for match in _TOKEN.finditer((text or "").lower()):
        chunk = match.group(0)
        if _CJK.fullmatch(chunk):
            out.extend(word for word in _jieba().lcut(chunk) if word.strip())
        else:
            out.append(_normal(chunk))
    return out


def content_tokens(text: str) -> list[str]:
    """`tokens` without the words that say nothing about a product (question words, particles)."""
    return [token for token in tokens(text) if token not in _STOPWORDS]


def sentences(text: str) -> list[str]:
    """Sentences of a text (English and Chinese end marks, line breaks), stripped, empty ones dropped."""
    return [part.strip() for part in _SENTENCE_END.split(text or "") if part and part.strip()]


def _polarity(words: list[str]) -> int:
    """+1, -1 or 0 for one clause: sentiment words, each flipped by a negator just before it."""
    score = 0
    for index, word in enumerate(words):
        value = 1 if word in _POSITIVE else -1 if word in _NEGATIVE else 0
        if not value:
            continue
        before = words[max(0, index - 3) : index]
        if any(b in _NEGATORS for b in before):
            value = -value
        if any(b in _TOO for b in before) and value > 0 and word not in ("good", "好"):
            value = -value  # "too cheap-looking", "too soft": rare, but never praise
        score += value
    return (score > 0) - (score < 0)


def _aspects_in(words: list[str]) -> list[str]:
    found = []
    for aspect, names in ASPECTS.items():
        if any(word in names for word in words):
            found.append(aspect)
    return found


def _stars_polarity(rating: int | None) -> int:
    if rating is None:
        return 0
    return 1 if rating >= 4 else -1 if rating <= 2 else 0


def aspect_mentions(text: str, *, rating: int | None = None) -> list[AspectMention]:
    """Every (aspect, polarity) a review text states, one per aspect and sentence. A clause with an aspect but no
    sentiment word of its own takes the sentence's ("the fit, sadly, is terrible") unless the sentence turns on
    a contrast word ("comfortable but the sizing is way off"), and then the review's stars (`rating`, 4-5
    positive, 1-2 negative) when it has them: the text decides when it speaks, the stars when it does not."""
    mentions: list[AspectMention] = []
    stars = _stars_polarity(rating)
    for sentence in sentences(text):
        clauses = [c for c in _CLAUSE_SPLIT.split(sentence) if c and c.strip()]
        contrast = bool(_CONTRAST.search(sentence))
        sentence_polarity = 0 if contrast else _polarity(tokens(sentence))
        seen: set[str] = set()
        for clause in clauses:
            words = tokens(clause)
            polarity = _polarity(words) or sentence_polarity or stars
            if not polarity:
                continue
            for aspect in _aspects_in(words):
                if aspect in seen:
                    continue
                seen.add(aspect)
                mentions.append(
                    AspectMention(
                        aspect=aspect,
                        polarity="positive" if polarity > 0 else "negative",
                        text=sentence,
                    )
                )
    return mentions
