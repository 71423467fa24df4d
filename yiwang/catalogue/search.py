"""Search text for Chinese names: the words, their pinyin and their pinyin initials.

"qykb" finds 企业开办 and "营业执照" finds the items that mention it.
"""

import re

STOPWORDS = {
    "怎么", "怎样", "如何", "办理", "我要", "我想", "想", "要", "在哪", "哪里", "去", "的", "了", "吗", "呢",
    "需要", "什么", "材料", "手续", "申请", "办", "一下", "请问", "可以", "能", "哪些", "流程",
}
_SPLIT = re.compile(r"[\s,，。.;；:：、?？!！/|]+")


# pypinyin's phrase dictionary costs ~56 MB of every process that imports it: imported on first use,
# so a web worker that never builds search text (most requests) does not carry it.
def pinyin_full(text: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(text))


def pinyin_initials(text: str) -> str:
    from pypinyin import Style, lazy_pinyin

    return "".join(p[0] for p in lazy_pinyin(text, style=Style.FIRST_LETTER) if p)


def search_text_for(*parts: str) -> str:
    """Lower-case text holding each part, its full pinyin and its initials."""
    words = [p for p in parts if p]
    chunks = []
    for w in words:
        chunks += [w, pinyin_full(w), pinyin_initials(w)]
    return " | ".join(chunks).lower()


def query_terms(q: str) -> list[str]:
    """The meaningful words of a query: segmented with jieba when it is Chinese, stopwords dropped."""
    q = (q or "").strip().lower()
    if not q:
        return []
    terms: list[str] = []
    for chunk in _SPLIT.split(q):
        if not chunk:
            continue
        if re.search(r"[\u4e00-\u9fff]", chunk):
            import jieba

            words = [w for w in jieba.cut(chunk) if w.strip() and w not in STOPWORDS]
            terms.extend(words or [chunk])
        else:
            terms.append(chunk)
    return list(dict.fromkeys(terms))
