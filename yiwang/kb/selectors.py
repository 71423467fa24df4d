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


def expand_terms(terms: list[str], q: str = "") -> list[str]:
    """Terms plus the synonyms (admin-configured) of any word the question contains, each segmented
    like the index. One-character words are dropped when longer ones remain."""
    longer = [t for t in terms if len(t) > 1]
    out = longer or list(terms)
    q = (q or "".join(terms)).lower()
    if q:
        for syn in Synonym.objects.filter(active=True).only("term", "expansions"):
            if syn.term.lower() not in q:
                continue
            for e in syn.expansions.split():
                out.append(e.lower())
                out.extend(text.query_terms(e))
    clean = [_SAFE.sub("", t) for t in out]
    return list(dict.fromkeys(t for t in clean if t))


@dataclass
class Hit:
    article: Article
    score: float


def _valid_q(today: date) -> Q:
    return (Q(active=True) & (Q(valid_from__isnull=True) | Q(valid_from__lte=today))
            & (Q(valid_to__isnull=True) | Q(valid_to__gt=today)))


def kb_search(q: str, *, limit: int = 10, today: date | None = None) -> list[Hit]:
    """Articles matching any meaningful word of the question, best first. Title words weigh most,
    then keywords (result licences, synonyms), then the body."""
    terms = expand_terms(text.query_terms(q), q)
    if not terms:
        return []
    today = today or timezone.localdate()
    vendor = connection.vendor
    with connection.cursor() as cur:
        if vendor == "sqlite":
            match = " OR ".join(f'"{t}"' for t in terms)
            cur.execute(
                "SELECT rowid, bm25(kb_article_fts, 10.0, 4.0, 1.0) AS s FROM kb_article_fts "
                "WHERE kb_article_fts MATCH %s ORDER BY s LIMIT %s", [match, limit * 5])
            rows = [(pk, -s) for pk, s in cur.fetchall()]
        elif vendor == "postgresql":
            tsq = " | ".join(terms)
            cur.execute(
                "SELECT id, ts_rank('{0.1, 0.2, 0.4, 1.0}', search_vector, query, 1) AS s "
                "FROM kb_article, to_tsquery('simple', %s) query WHERE search_vector @@ query "
                "ORDER BY s DESC, id LIMIT %s", [tsq, limit * 5])
            rows = list(cur.fetchall())
        else:  # pragma: no cover - only the two supported databases
            raise NotImplementedError(vendor)
    score = dict(rows)
    articles = Article.objects.filter(_valid_q(today), pk__in=score).select_related("implementation", "bundle")
    hits = [Hit(a, float(score[a.pk])) for a in articles]
    hits.sort(key=lambda h: (-h.score, h.article.pk))
    return hits[:limit]


def article_get(pk: int) -> Article:
    from yiwang.core.errors import NotFound

    a = Article.objects.filter(pk=pk).first()
    if a is None:
        raise NotFound("知识库文章不存在", field="article")
    return a
