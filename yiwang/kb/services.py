"""Keeping the knowledge base in step with the catalogue, and free articles."""

from __future__ import annotations

import hashlib
import threading
from datetime import date

from django.db import transaction

from yiwang.catalogue.models import Bundle, ItemImplementation
from yiwang.core.errors import DomainError
from yiwang.core.outbox import outbox_put

from . import text
from .models import Article, ArticleCategory, Source

GUIDE_CATEGORY = ("guide", "办事指南")
BUNDLE_CATEGORY = ("bundle", "一件事")


def _category(code_name: tuple[str, str]) -> ArticleCategory:
    cat, _ = ArticleCategory.objects.get_or_create(code=code_name[0], defaults={"name": code_name[1]})
    return cat


def _tokens(article: Article) -> None:
    article.title_tokens = text.segment(article.title, with_pinyin=True)
    article.keyword_tokens = text.segment(article.keywords, with_pinyin=True)
    article.body_tokens = text.segment(f"{article.summary} {article.body}")


def _upsert(key: str, **fields) -> tuple[Article, bool]:
    """Create or update an article; unchanged content writes nothing."""
    digest = hashlib.sha256(repr(sorted((k, str(v)) for k, v in fields.items())).encode()).hexdigest()
    article = Article.objects.filter(key=key).first()
    if article is not None and article.content_hash == digest:
        return article, False
    article = article or Article(key=key)
    for k, v in fields.items():
        setattr(article, k, v)
    article.content_hash = digest
    _tokens(article)
    article.save()
    return article, True


def article_for_implementation(impl: ItemImplementation) -> tuple[Article, bool]:
    item = impl.item
    materials = [m.name + ("（可容缺）" if m.tolerable else "") + ("（免提交，数据共享获取）" if m.source != "applicant" else "")
                 for m in item.materials.all()]
    limit = "即办件，当场办结" if item.mode == "instant" else f"承诺 {item.promised_days} 个工作日（法定 {item.statutory_days} 个工作日）"
    body = "\n".join([
        f"受理条件：{item.conditions}",
        "申请材料：" + "；".join(materials) if materials else "申请材料：无",
        "办理流程：" + "→".join(s.name for s in item.steps.all()),
        f"办理时限：{limit}",
        f"收费：{'不收费' if not item.fee else f'{item.fee} 元'}",
        f"办理地点：{impl.location}",
        f"咨询电话：{impl.phone}",
        f"设定依据：{impl.basis}",
        f"到办事现场次数：{item.visits}次；网上办理深度：{item.get_online_depth_display()}",
        f"监督投诉电话：{impl.complaint_phone or '12345'}",
        *[f"问：{f.question} 答：{f.answer}" for f in item.faqs.all()],
    ])
    keywords = " ".join(x for x in [item.result_licence, impl.department.name, item.get_type_code_display()] if x)
    answer = f"{impl.name}由{impl.department.name}办理，{limit}。需要准备：{'、'.join(materials) or '无'}。办理地点：{impl.location}。"
    return _upsert(
        f"item:{impl.impl_code}", source=Source.ITEM, title=impl.name, summary=f"{impl.department.name} · {limit}",
        body=body, keywords=keywords, answer=answer, category=_category(GUIDE_CATEGORY), region_id=impl.region_id,
        implementation=impl, active=impl.active,
    )


def article_for_bundle(bundle: Bundle) -> tuple[Article, bool]:
    from yiwang.catalogue.selectors import bundle_view

    view = bundle_view(bundle)
    items = [m.implementation.name for m in view.members]
    materials = [m.name for m in view.merged_materials if getattr(m, "source", "applicant") == "applicant"]
    body = "\n".join([
        f"一件事：{bundle.name}，承诺 {bundle.promised_days} 个工作日办结。",
        "包含事项：" + "、".join(items),
        "一次提交材料（明白卡）：" + "；".join(materials),
        bundle.description,
    ])
    answer = f"“{bundle.name}”一件事一次办，一张表、一套材料，{bundle.promised_days} 个工作日内办结，包含：{'、'.join(items)}。"
    return _upsert(
        f"bundle:{bundle.code}", source=Source.BUNDLE, title=f"{bundle.name}（一件事一次办）",
        summary=f"包含 {len(items)} 个事项 · 承诺 {bundle.promised_days} 个工作日", body=body,
        keywords=" ".join(items), answer=answer, category=_category(BUNDLE_CATEGORY), region_id=bundle.region_id,
        bundle=bundle, active=bundle.active,
    )


@transaction.atomic
def kb_sync(*, implementations=None, bundles=None) -> dict:
    """Generate or refresh the articles of the given (default: all) implementations and bundles; retire
    the articles whose source is gone. Returns counts."""
    full = implementations is None and bundles is None
    impls = ItemImplementation.objects.select_related("item", "department").prefetch_related(
        "item__materials", "item__steps", "item__faqs")
    bds = Bundle.objects.all()
    if not full:
        impls = impls.filter(pk__in=implementations or [])
        bds = bds.filter(pk__in=bundles or [])
    changed = 0
    for impl in impls:
        changed += article_for_implementation(impl)[1]
    for b in bds:
        changed += article_for_bundle(b)[1]
    retired = 0
    if full:
        live_items = {f"item:{c}" for c in ItemImplementation.objects.values_list("impl_code", flat=True)}
        live_bundles = {f"bundle:{c}" for c in Bundle.objects.values_list("code", flat=True)}
        for a in Article.objects.filter(source__in=[Source.ITEM, Source.BUNDLE], active=True):
            if a.key not in live_items | live_bundles:
                a.active = False
                _tokens(a)
                a.save(update_fields=["active"])
                retired += 1
    if changed or retired:
        outbox_put(topic="kb.synced", payload={"changed": changed, "retired": retired})
    return {"changed": changed, "retired": retired}


@transaction.atomic
def article_save(*, title: str, body: str, keywords: str = "", answer: str = "", category: ArticleCategory | None = None,
                 valid_from: date | None = None, valid_to: date | None = None, article: Article | None = None) -> Article:
    """A free article (政策解读, 常见问题...)."""
    if not title.strip():
        raise DomainError("请填写标题", field="title")
    if not body.strip():
        raise DomainError("请填写正文", field="body")
    if valid_from and valid_to and valid_to <= valid_from:
        raise DomainError("失效日期应晚于生效日期", field="valid_to")
    a = article or Article(source=Source.FREE, key=f"free:new-{id(title)}")
    a.title, a.body, a.keywords, a.answer, a.category = title.strip(), body.strip(), keywords, answer, category
    a.valid_from, a.valid_to, a.summary = valid_from, valid_to, body.strip()[:100]
    _tokens(a)
    a.save()
    if a.key.startswith("free:new-"):
        a.key = f"free:{a.pk}"
        a.save(update_fields=["key"])
    return a


# --- catalogue signals: collect what changed in this transaction, sync once when it commits ---------

_pending = threading.local()


def mark_dirty(*, implementation_ids=(), bundle_ids=()) -> None:
    from django.db import connection

    if not connection.in_atomic_block:
        kb_sync(implementations=list(implementation_ids), bundles=list(bundle_ids))
        return
    state = getattr(_pending, "state", None)
    registered = any(fn is _flush for _, fn, _ in connection.run_on_commit)
    if state is None or not registered:  # a rolled-back transaction dropped the earlier registration
        state = _pending.state = {"impl": set(), "bundle": set()}
        transaction.on_commit(_flush)
    state["impl"].update(implementation_ids)
    state["bundle"].update(bundle_ids)


def _flush() -> None:
    state = getattr(_pending, "state", None)
    _pending.state = None
    if state and (state["impl"] or state["bundle"]):
        kb_sync(implementations=sorted(state["impl"]), bundles=sorted(state["bundle"]))
