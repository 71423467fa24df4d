"""Pages of the shell: login that lands each user where their work is, and the applicant's messages."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from yiwang.core.models import OutboxMessage


class LoginView(auth_views.LoginView):
    """After login: the page the user came for; from the home page (the header's link) or with no
    page asked for, staff land on their workbench and applicants on their cases."""

    def get_success_url(self) -> str:
        from yiwang.portal.templatetags.yiwang_ui import landing_url

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
