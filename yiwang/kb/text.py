"""Pre-segmentation for the full-text index: jieba words (search mode), full pinyin and pinyin initials."""

from __future__ import annotations

import re

from yiwang.catalogue.search import pinyin_full, pinyin_initials

# jieba's dictionary (~66 MB) and pypinyin's (~56 MB) are loaded on first use, not at import.

_HAN = re.compile(r"[\u4e00-\u9fff]")
_WORD = re.compile(r"[\w\u4e00-\u9fff]+")
# Words of a caller's question that say nothing about the matter.
STOPWORDS = frozenset(
    "怎么 怎么办 怎样 如何 我要 我想 想 要 在哪 在哪里 哪里 去 的 了 吗 呢 啊 吧 什么 一下 请问 可以 能 能不能 "
    "哪些 需要 是 有 我 你 和 与 及 或 在 到 给 把 被 这 那 个 办 办理 要求 咨询 问 问问 多久 几天".split()
)


def words(text: str) -> list[str]:
    """jieba search-mode words, lower-case, punctuation dropped (stopwords kept: they are harmless in
    an index and needed for phrases)."""
    import jieba

    out = []
    for chunk in _WORD.findall((text or "").lower()):
        if _HAN.search(chunk):
            out.extend(w for w in jieba.cut_for_search(chunk) if _WORD.fullmatch(w))
        else:
            out.append(chunk)
    return out


def pinyin_tokens(text: str) -> list[str]:
    """Full pinyin and initials of each Chinese word in the text (企业设立登记 → qiyeshelidengji qysldj)."""
    import jieba

    out = []
    for chunk in re.findall(r"[\u4e00-\u9fff]+", text or ""):
        out.append(pinyin_full(chunk))
        out.append(pinyin_initials(chunk))
        out.extend(pinyin_initials(w) for w in jieba.cut(chunk) if len(w) > 1)
    return out


def segment(text: str, *, with_pinyin: bool = False) -> str:
    toks = words(text)
    if with_pinyin:
        toks += pinyin_tokens(text)
    return " ".join(toks)


def query_terms(q: str) -> list[str]:
    """The meaningful words of a question: jieba (search mode), stopwords and one-character fillers dropped."""
    terms = [w for w in words(q) if w not in STOPWORDS]
    return list(dict.fromkeys(terms))
