"""The rating page a window QR code (or an SMS link) opens: no account needed, works on a phone."""

from django.shortcuts import render

from yiwang.core.errors import DomainError

from . import services
from .models import EvalStatus, Level


def rate(request, token):
    ev = services.evaluation_by_token(token) if token else None
    error = ""
    if request.method == "POST" and ev is not None:
        try:
            ev = services.evaluation_rate(evaluation=ev, level=request.POST.get("level"),
                                          channel=request.POST.get("channel", "qr"), text=request.POST.get("text", ""),
                                          rater_user=request.user)
        except DomainError as exc:
            error = exc.message
    return render(request, "evaluations/rate.html", {
        "ev": ev, "levels": Level.choices, "error": error, "done": ev.status != EvalStatus.INVITED,
    }, status=403 if error and "自己" in error else 200)
