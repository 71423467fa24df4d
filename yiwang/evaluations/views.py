"""Pages of 好差评: the rating page a QR code opens (no account needed, works on a phone), the window
pad (一次一评), the applicant's open ratings, and the rectification pages of units and supervisors."""

from __future__ import annotations

import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from yiwang.core.errors import DomainError, Forbidden
from yiwang.core.workflow import apply, available_actions
from yiwang.organisations.models import Window
from yiwang.organisations.selectors import staff_roles

from . import selectors, services
from .models import EvalStatus, Level, Rectification, RectStatus
from .rules import PROBLEM_TYPES
from .workflow import RECTIFICATION


def _forbidden(request, message: str):
    return HttpResponseForbidden(render(request, "evaluations/forbidden.html", {"message": message}).content)


def rate(request, token):
    ev = services.evaluation_by_token(token) if token else None
    errors: dict = {}
    if request.method == "POST" and ev is not None:
        try:
            ev = services.evaluation_rate(evaluation=ev, level=request.POST.get("level"),
                                          channel=request.POST.get("channel", "qr"), text=request.POST.get("text", ""),
                                          problem_type=request.POST.get("problem_type", ""), rater_user=request.user)
        except DomainError as exc:
            errors = {exc.field if exc.field in ("level", "problem_type", "text") else "level": exc.message}
            status = exc.status
    return render(request, "evaluations/rate.html", {
        "ev": ev, "levels": Level.choices, "problem_types": list(PROBLEM_TYPES.items()), "errors": errors,
        "v": request.POST if errors else {}, "done": ev.status != EvalStatus.INVITED,
    }, status=status if errors else 200)


def rate_qr(request, token):
    """The QR code of a rating page, as SVG (segno; served by the platform, no CDN)."""
    ev = services.evaluation_by_token(token)
    url = request.build_absolute_uri(reverse("evaluations:rate", args=[ev.token]))
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="svg", scale=6, border=2, xmldecl=True, svgns=True)
    return HttpResponse(buf.getvalue(), content_type="image/svg+xml", headers={"Cache-Control": "private, max-age=3600"})


@login_required
def window_pad(request, code):
    """一次一评 at the window: the pad shows the QR code of the current service's rating page; the
    clerk opens a new slot for the next applicant with one button."""
    window = get_object_or_404(Window.objects.select_related("unit"), code=code)
    if not any(s.window_id == window.pk or s.unit_id == window.unit_id for s in staff_roles(request.user)):
        return _forbidden(request, "只有本窗口（本单位）的工作人员可以使用评价器")
    if request.method == "POST":
        try:
            services.evaluation_invite_window(window=window, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("evaluations:window_pad", code=code)
    current = (services.Evaluation.objects.filter(subject_kind="window", window=window, status=EvalStatus.INVITED)
               .order_by("-invited_at", "-id").first())
    last = (services.Evaluation.objects.filter(subject_kind="window", window=window)
            .exclude(status=EvalStatus.INVITED).order_by("-rated_at", "-id").first())
    url = request.build_absolute_uri(reverse("evaluations:rate", args=[current.token])) if current else ""
    return render(request, "evaluations/window_pad.html", {"window": window, "current": current, "url": url,
                                                           "last": last})


@login_required
def my_evaluations(request):
    """The applicant's rating slots: open ones with a link and QR code to rate, and past ones."""
    rows = list(selectors.evaluations_of_rater(request.user)[:100])
    for ev in rows:
        ev.url = request.build_absolute_uri(reverse("evaluations:rate", args=[ev.token]))
    return render(request, "evaluations/my_evaluations.html", {
        "open": [e for e in rows if e.status == EvalStatus.INVITED],
        "done": [e for e in rows if e.status != EvalStatus.INVITED],
    })


def _staff_or_403(request):
    if not staff_roles(request.user):
        return _forbidden(request, "只有被评价单位的工作人员或督查人员可以查看差评整改")
    return None


@login_required
def rectifications(request):
    """Bad reviews and their rectification: a unit sees its own, a supervisor all; overdue flagged."""
    denied = _staff_or_403(request)
    if denied:
        return denied
    overdue_only = request.GET.get("overdue") == "1"
    status = request.GET.get("status", "")
    qs = selectors.rectifications_visible(request.user, overdue_only=False).select_related(
        "evaluation__implementation", "evaluation__window")
    if status in RectStatus.values:
        qs = qs.filter(status=status)
    now = timezone.now()
    rows = []
    for r in qs[:300]:
        r.flags = selectors.rectification_flags(r, now)
        if overdue_only and not (r.flags["contact_overdue"] or r.flags["fix_overdue"]):
            continue
        rows.append(r)
    return render(request, "evaluations/rectifications.html", {
        "rows": rows, "overdue_only": overdue_only, "statuses": RectStatus.choices, "status": status,
        "is_supervisor": selectors.is_supervisor(request.user),
    })


def _action_forms(rect: Rectification, user) -> list[dict]:
    """One small form per action the user may take now (exactly available_actions), with the
    fields of that action's input schema; an irreversible one asks for a confirmation tick."""
    forms = []
    for a in available_actions(RECTIFICATION, subject=rect, actor=user):
        fields = [{"name": name, "title": f.title or name, "required": f.is_required()}
                  for name, f in a.action.input.model_fields.items()]
        forms.append({"name": a.name, "label": a.label, "confirm": a.action.confirm, "fields": fields,
                      "basis": a.action.basis})
    return forms


def _act(request, rect: Rectification):
    action = request.POST.get("action", "")
    act = RECTIFICATION.actions.get(action)
    offered = {a.name for a in available_actions(RECTIFICATION, subject=rect, actor=request.user)}
    if act is not None and act.confirm and action in offered and not request.POST.get("confirmed"):
        messages.error(request, f"请勾选确认后再{act.label}")
        return None
    version = request.POST.get("version", "")
    try:
        apply(RECTIFICATION, subject=rect, action=action, actor=request.user, input=request.POST.dict(),
              version=int(version) if version.isdigit() else None)
    except Forbidden as exc:
        return _forbidden(request, exc.message)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已{act.label}")
    return None


@login_required
def rectification(request, pk: int):
    rect = get_object_or_404(Rectification.objects.select_related(
        "evaluation__unit", "evaluation__window", "evaluation__implementation", "evaluation__staff",
        "evaluation__rater_party", "unit", "rerating"), pk=pk)
    if not (selectors.is_supervisor(request.user) or selectors.unit_handler_of(request.user, rect)):
        return _forbidden(request, "只有被评价单位或督查人员可以处理此差评")
    if request.method == "POST":
        return _act(request, rect) or redirect("evaluations:rectification", pk=pk)
    ev = rect.evaluation
    return render(request, "evaluations/rectification.html", {
        "rect": rect, "ev": ev, "flags": selectors.rectification_flags(rect, timezone.now()),
        "rater": selectors.evaluation_public(ev, request.user)["rater"],
        "forms": _action_forms(rect, request.user), "events": selectors.rectification_timeline(rect),
        "rerating_url": request.build_absolute_uri(reverse("evaluations:rate", args=[rect.rerating.token]))
        if rect.rerating_id else "",
    })
