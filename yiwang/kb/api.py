from ninja import Query, Router

router = Router(tags=["kb"])


@router.get("/kb/search", summary="知识库检索（分词、拼音首字母、同义词；全文索引排序）")
def kb_search(request, q: str = Query("", max_length=200), limit: int = Query(10, ge=1, le=50)):
    from .selectors import kb_search as search

    return [{"id": h.article.pk, "key": h.article.key, "title": h.article.title, "summary": h.article.summary,
             "answer": h.article.answer, "score": round(h.score, 4)} for h in search(q, limit=max(1, min(limit, 50)))]
