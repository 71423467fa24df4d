"""Knowledge-base search on the database's full-text index (FTS5 bm25 / PostgreSQL ts_rank)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from . import text
from .models import Article, Synonym

_SAFE = re.compile(r"[^\w\u4e00-\u9fff]")
_HAN_CHAR = re.compile(r"[\u4e00-\u9fff]")


def _clean(terms) -> list[str]:
    return list(dict.fromkeys(t for t in (_SAFE.sub("", x) for x in terms) if t))


def _base_terms(terms: list[str]) -> list[str]:
    """One-character words are dropped when longer ones remain."""
    longer = [t for t in terms if len(t) > 1]
    return _clean(longer or list(terms))


def _synonym_terms(q: str) -> list[str]:
    """The synonyms (admin-configured) of any word the question contains, each segmented like the index."""
    out: list[str] = []
    q = (q or "").lower()
    if q:
        for syn in Synonym.objects.filter(active=True).only("term", "expansions"):
            if syn.term.lower() not in q:
                continue
            for e in syn.expansions.split():
                out.append(e.lower())
                out.extend(text.query_terms(e))
    return _clean(out)


def expand_terms(terms: list[str], q: str = "") -> list[str]:
    """Terms plus the synonyms of any word the question contains."""
    return _clean(_base_terms(terms) + _synonym_terms(q or "".join(terms)))


@dataclass
class Hit:
    article: Article
    score: float


def _valid_q(today: date) -> Q:
    return (Q(active=True) & (Q(valid_from__isnull=True) | Q(valid_from__lte=today))
            & (Q(valid_to__isnull=True) | Q(valid_to__gt=today)))


def _ranked_ids(groups: list[list[str]], candidates: int) -> list[tuple[int, float]]:
    """(article id, score) of the index rows matching every term of at least one group, best first."""
    vendor = connection.vendor
    with connection.cursor() as cur:
        if vendor == "sqlite":
            match = " OR ".join("(" + " AND ".join(f'"{t}"' for t in g) + ")" for g in groups)
            cur.execute(
                "SELECT rowid, bm25(kb_article_fts, 10.0, 4.0, 1.0) AS s FROM kb_article_fts "
                "WHERE kb_article_fts MATCH %s ORDER BY s LIMIT %s", [match, candidates])
            return [(pk, -s) for pk, s in cur.fetchall()]
        if vendor == "postgresql":
            tsq = " | ".join("(" + " & ".join(g) + ")" for g in groups)
            cur.execute(
                "SELECT id, ts_rank('{0.1, 0.2, 0.4, 1.0}', search_vector, query, 1) AS s "
                "FROM kb_article, to_tsquery('simple', %s) query WHERE search_vector @@ query "
                "ORDER BY s DESC, id LIMIT %s", [tsq, candidates])
            return list(cur.fetchall())
    raise NotImplementedError(vendor)  # pragma: no cover - only the two supported databases


def kb_search(q: str, *, limit: int = 10, today: date | None = None, sources: list[str] | None = None,
              region_codes: list[str] | None = None, every_word: bool = False) -> list[Hit]:
    """Articles matching any meaningful word of the question, best first. Title words weigh most,
    then keywords (result licences, synonyms), then the body.

    The one search index of the platform: the hotline's lookup asks it for every source and any word
    (a caller's question is loose); the portal's search box asks for the guides, bundles and answers
    (`sources`) of the chosen region (`region_codes`; articles without a region always pass) matching
    every word (`every_word`, as a search box does) or any configured synonym of the question."""
    base = _base_terms(text.query_terms(q))
    synonyms = _synonym_terms(q)
    if not base and not synonyms:
        return []
    if every_word:
        groups = ([base] if base else []) + [[e] for e in synonyms]
    else:
        groups = [[t] for t in _clean(base + synonyms)]
    today = today or timezone.localdate()
    score = dict(_ranked_ids(groups, max(limit * 5, 50)))
    articles = Article.objects.filter(_valid_q(today), pk__in=score).select_related("implementation", "bundle")
    if sources is not None:
        articles = articles.filter(source__in=sources)
    if region_codes is not None:
        articles = articles.filter(Q(region__isnull=True) | Q(region_id__in=region_codes))
    hits = [Hit(a, float(score[a.pk])) for a in articles]
    hits.sort(key=lambda h: (-h.score, h.article.pk))
    return hits[:limit]


def highlight_terms(q: str) -> list[str]:
    """The words of the question to mark in result names: its meaningful words and their synonyms,
    Chinese or letters, longest first so a longer word is marked whole."""
    terms = [t for t in expand_terms(text.query_terms(q), q) if len(t) > 1 or _HAN_CHAR.match(t)]
    return sorted(set(terms), key=lambda t: (-len(t), t))


def article_get(pk: int) -> Article:
    from yiwang.core.errors import NotFound

    a = Article.objects.filter(pk=pk).first()
    if a is None:
        raise NotFound("知识库文章不存在", field="article")
    return a
