from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from .pdf import licence_pdf
from .selectors import licence_get, licence_verify, licences_of_user
from .urlsupport import public_base_url


def verify_page(request, identifier: str):
    """The public verification page the QR code leads to: no account needed."""
    result = licence_verify(identifier, base_url=public_base_url(request))
    return render(request, "licences/verify.html", {"identifier": identifier, "result": result})


@login_required
def my_licences(request):
    licences = licences_of_user(request.user).order_by("-issue_date", "-id")
    return render(request, "licences/my_licences.html", {"licences": licences})


@login_required
def my_licence_pdf(request, identifier: str):
    licence = licence_get(identifier)
    if licence is None or licence.holder.user_id != request.user.pk:
        raise Http404("未找到该证照")
    base = public_base_url(request)
    response = HttpResponse(licence_pdf(licence, verify_url=f"{base}/verify/{licence.identifier}"),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="licence-{licence.identifier}.pdf"'
    return response
