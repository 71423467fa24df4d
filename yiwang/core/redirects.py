"""Following a `next` parameter without leaving the site."""

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, value: str | None, default: str) -> str:
    """`value` when it stays on this site (Django's own check: no //host, /\\host, other scheme or
    host), else `default`."""
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()},
                                                 require_https=request.is_secure()):
        return value
    return default
