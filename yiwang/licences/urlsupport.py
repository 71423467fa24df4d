from django.conf import settings


def public_base_url(request=None) -> str:
    """The platform's public address for QR codes: YIWANG_PUBLIC_BASE_URL, else the request's host."""
    configured = getattr(settings, "YIWANG_PUBLIC_BASE_URL", "") or ""
    if configured:
        return configured.rstrip("/")
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return ""
