from django.conf import settings


def site(request):
    return {"site_title": settings.YIWANG_SITE_TITLE}
