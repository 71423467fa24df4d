"""Pages of the shell: login that lands each user where their work is, and the applicant's messages."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse

from yiwang.core.models import AuditAction, AuditEntry, OutboxMessage


class LoginView(auth_views.LoginView):
    """After login: the page the user came for; from the home page (the header's link) or with no
    page asked for, staff land on their workbench and applicants on their cases."""

    def get_success_url(self) -> str:
        from yiwang.portal.templatetags.yiwang_ui import landing_url

        from .initial_password import SESSION_KEY

        if self.request.session.get(SESSION_KEY):  # a published initial password: change it first
            return reverse("password_change")
        asked = self.get_redirect_url()  # only a same-site address (Django checks it)
        if asked and asked != "/":
            return asked
        return landing_url(self.request.user)


@login_required
def my_messages(request):
    """消息: what the platform told this applicant (the outbox rows addressed to their party)."""
    from yiwang.parties.models import Party

    numbers = list(Party.objects.filter(user=request.user).values_list("number", flat=True))
    messages = (OutboxMessage.objects.filter(payload__to__party__in=numbers).order_by("-id")[:200]
                if numbers else [])
    return render(request, "yiwang/my_messages.html", {"rows": messages})


@login_required
def audit_log(request):
    """安全审计日志, for the security auditor (and the security administrator) only — not the system
    administrator: 三权分立."""
    from yiwang.core.audit import audit_verify
    from yiwang.organisations.models import Role
    from yiwang.organisations.selectors import has_role

    if not (has_role(request.user, Role.AUDITOR) or has_role(request.user, Role.SECURITY_ADMIN)):
        raise PermissionDenied("仅安全审计员和安全管理员可以查看审计日志")
    rows = AuditEntry.objects.select_related("actor").order_by("-id")
    action = request.GET.get("action", "")
    if action in AuditAction.values:
        rows = rows.filter(action=action)
    who = request.GET.get("username", "").strip()[:150]
    if who:
        rows = rows.filter(username=who)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "yiwang/audit_log.html", {
        "page": page, "actions": AuditAction.choices, "action": action, "username": who,
        # Recomputing the chain reads every row: on request, not on every page view.
        "chain": audit_verify() if request.GET.get("verify") else None,
    })
