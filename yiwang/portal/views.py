"""Public portal pages: home with search, the service guide, the bundle page and their PDFs.
No account needed. Reads only, through catalogue selectors."""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from yiwang.catalogue import selectors
from yiwang.catalogue.models import BundleTheme, ItemImplementation
from yiwang.core.errors import NotFound
from yiwang.organisations.models import Region
from yiwang.organisations.selectors import region_subtree_codes

from . import guide as guide_mod
from . import pdf
from .selectors import looks_like_case_number, progress_lookup

ALL_REGIONS = "all"
THEME_ORDER = [BundleTheme.PERSON, BundleTheme.ENTERPRISE, BundleTheme.PROJECT]


def not_found(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "404.html", {"message": message}, status=404)


def _region_choice(request: HttpRequest) -> tuple[str, list[str] | None]:
    """The region filter: the site's region (and below) by default, "all" for everything."""
    region = request.GET.get("region") or settings.YIWANG_SITE_REGION
    if region == ALL_REGIONS or not Region.objects.filter(code=region).exists():
        return ALL_REGIONS, None
    return region, region_subtree_codes(region)


def _search_results(q: str, codes: list[str] | None) -> dict:
    """The portal's search on the one index the hotline's knowledge base uses too: guides, bundles and
    free articles (问答), best first, loaded with what the result list shows in one query per kind."""
    from yiwang.kb.models import Source
    from yiwang.kb.selectors import highlight_terms, kb_search

    hits = kb_search(q, limit=60, sources=[Source.ITEM, Source.BUNDLE, Source.FREE], region_codes=codes,
                     every_word=True)
    impl_ids = [h.article.implementation_id for h in hits if h.article.source == Source.ITEM]
    bundle_ids = [h.article.bundle_id for h in hits if h.article.source == Source.BUNDLE]
    impls = ItemImplementation.objects.filter(pk__in=impl_ids, active=True).select_related(
        "item", "department", "region").in_bulk()
    bundles = selectors.bundles_search().filter(pk__in=bundle_ids).in_bulk()
    return {
        "item_results": [impls[i] for i in impl_ids if i in impls],
        "bundle_results": [bundles[b] for b in bundle_ids if b in bundles],
        "answer_results": [h.article for h in hits if h.article.source == Source.FREE][:3],
        "marks": highlight_terms(q),
    }


def home(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    if looks_like_case_number(q):  # a case number typed in the search box: its progress lookup
        return redirect(reverse("portal:progress") + "?" + urlencode({"number": q}))
    region, codes = _region_choice(request)
    regions = Region.objects.filter(code__in=ItemImplementation.objects.filter(active=True)
                                    .values("region_id")).order_by("code")
    context = {"q": q, "region": region, "regions": regions, "all_regions": ALL_REGIONS}
    if q:
        context.update(_search_results(q, codes))
        return render(request, "portal/home.html", context)
    items = selectors.implementations_search().select_related("item")
    bundles = selectors.bundles_search()
    if codes is not None:
        items = items.filter(region_id__in=codes)
        bundles = bundles.filter(region_id__in=codes)
    items, bundles = list(items[:300]), list(bundles)
    context["person_items"] = [i for i in items if i.item.service_object == "person"]
    context["enterprise_items"] = [i for i in items if i.item.service_object != "person"]
    context["bundle_themes"] = [
        (theme.label, [b for b in bundles if b.theme == theme])
        for theme in THEME_ORDER if any(b.theme == theme for b in bundles)
    ]
    return render(request, "portal/home.html", context)


def _guide(impl_code: str) -> guide_mod.Guide:
    return guide_mod.guide_for(selectors.implementation_get(impl_code))


def item_guide(request: HttpRequest, impl_code: str) -> HttpResponse:
    try:
        g = _guide(impl_code)
    except NotFound:
        return not_found(request, _("事项实施编码“%(code)s”不存在，请返回首页搜索。") % {"code": impl_code})
    return render(request, "portal/item.html", {"g": g, "sections": guide_mod.GUIDE_SECTIONS})


def item_guide_pdf(request: HttpRequest, impl_code: str) -> HttpResponse:
    try:
        g = _guide(impl_code)
    except NotFound:
        return not_found(request, _("事项实施编码“%(code)s”不存在，请返回首页搜索。") % {"code": impl_code})
    return _pdf_response(pdf.guide_pdf(g, site_title=_(settings.YIWANG_SITE_TITLE)), f"guide-{g.impl_code}.pdf")


def item_form(request: HttpRequest, impl_code: str, pk: int) -> HttpResponse:
    """A blank or sample form of the guide, as a download named by the form."""
    from django.http import FileResponse

    from yiwang.catalogue.models import GuideForm

    form = GuideForm.objects.filter(pk=pk, item__implementations__impl_code=impl_code).first()
    if form is None or not form.file:
        return not_found(request, _("该表格不存在，请返回办事指南查看。"))
    name = form.name + "." + form.file.name.rsplit(".", 1)[-1]
    return FileResponse(form.file.open("rb"), as_attachment=True, filename=name)


def _checklist(code: str) -> guide_mod.Checklist:
    return guide_mod.checklist_for(selectors.bundle_view(selectors.bundle_get(code)))


def bundle_page(request: HttpRequest, code: str) -> HttpResponse:
    try:
        c = _checklist(code)
    except NotFound:
        return not_found(request, _("一件事“%(code)s”不存在，请返回首页查看一件事一次办。") % {"code": code})
    return render(request, "portal/bundle.html", {"c": c})


def bundle_checklist_pdf(request: HttpRequest, code: str) -> HttpResponse:
    try:
        c = _checklist(code)
    except NotFound:
        return not_found(request, _("一件事“%(code)s”不存在，请返回首页查看一件事一次办。") % {"code": code})
    return _pdf_response(pdf.checklist_pdf(c, site_title=_(settings.YIWANG_SITE_TITLE)), f"checklist-{c.code}.pdf")


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# ---------------------------------------------------------------- 办件进度查询

PROGRESS_TRIES = 10  # wrong answers per address per PROGRESS_WINDOW seconds, against probing numbers
PROGRESS_WINDOW = 600


def _progress_throttled(request: HttpRequest) -> bool:
    key = f"progress-miss:{request.META.get('REMOTE_ADDR', '')}"
    return (cache.get(key) or 0) >= PROGRESS_TRIES


def _progress_missed(request: HttpRequest) -> None:
    key = f"progress-miss:{request.META.get('REMOTE_ADDR', '')}"
    if cache.add(key, 1, PROGRESS_WINDOW) is False:
        cache.incr(key)


def progress(request: HttpRequest) -> HttpResponse:
    """Look up a case's progress with its number and the applicant's phone or ID's last six characters."""
    number = request.GET.get("number", "").strip()[:64]
    proof = request.GET.get("proof", "").strip()[:32]
    context: dict = {"number": number, "proof": proof, "errors": {}}
    status = 200
    if "proof" in request.GET:  # the form was sent (the search box's redirect brings the number only)
        if not number:
            context["errors"]["number"] = "请填写办件编号"
        if not proof:
            context["errors"]["proof"] = "请填写申请人手机号码或证件号码后6位"
        if context["errors"]:
            status = 400
        elif _progress_throttled(request):
            context["errors"]["number"] = "查询次数过多，请10分钟后再试"
            status = 429
        else:
            found = progress_lookup(number=number, proof=proof)
            if found is None:
                _progress_missed(request)
                context["errors"]["proof"] = "办件编号与手机号码（或证件号码后6位）不匹配，请核对后重试"
                status = 404
            context["progress"] = found
            context["receipt_url"] = _receipt_url(found)
    return render(request, "portal/progress.html", context, status=status)


def _receipt_url(found) -> str:
    """The case's receipt (回执) behind a signed link valid one hour: what the receipt shows, no more."""
    from yiwang.documents.selectors import receipt_for_progress, receipt_token

    doc = receipt_for_progress(found.number) if found is not None and not found.is_bundle else None
    return f"/progress/receipt/{receipt_token(doc)}.pdf" if doc else ""


# ---------------------------------------------------------------- 大字版 (适老化)

ELDER_COOKIE = "yiwang_elder"


def elder_mode(request: HttpRequest) -> HttpResponse:
    """Switch the elderly-friendly mode on or off for this browser (a cookie, a year long). The page's
    script does the same without a reload (ui.js); this is the path without script."""
    from django.http import HttpResponseNotAllowed
    from django.utils.http import url_has_allowed_host_and_scheme

    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    nxt = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        nxt = "/"
    response = redirect(nxt)
    if request.COOKIES.get(ELDER_COOKIE) == "1":
        response.delete_cookie(ELDER_COOKIE, samesite="Lax")
    else:
        response.set_cookie(ELDER_COOKIE, "1", max_age=365 * 24 * 3600, samesite="Lax", secure=request.is_secure())
    return response
