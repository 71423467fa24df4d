"""Domain errors: every refusal carries a code, a Chinese message and the field it concerns.

Services raise these; the API turns them into {"error", "message", "field", "errors"} with the status
below, and the pages show each message at its field. Nothing outside this module decides an error's
status.

The message is for people: it names the field by its label, never by its key (the key travels in
`field`). A message still written the old way, "item：…" with its own field as a prefix, loses the
prefix here, so no page or response shows an internal key.

One refusal may carry several field errors (`errors`: a form with two empty fields says both at
once); `message` and `field` are then the first of them.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# "item：", "form.企业名称：", "applicant.number：": an ASCII key (dotted) and the full-width colon.
_KEY_PREFIX = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*(?:\.[^\s：.]+)*)：")


class FieldError(NamedTuple):
    field: str | None
    message: str


def strip_key_prefix(message: str, field: str | None = None) -> str:
    """The message without a leading "<key>：" when the key is the field (or a part of its path) or
    looks like a program key (lower case, underscores, dots)."""
    m = _KEY_PREFIX.match(message or "")
    if not m:
        return message
    key = m.group(1)
    parts = set(field.split(".")) if field else set()
    if key == field or key in parts or (field and field.startswith(key + ".")) or key == key.lower():
        return message[m.end():]
    return message


class DomainError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None,
                 errors: list[FieldError] | None = None):
        errors = [FieldError(e[0], strip_key_prefix(e[1], e[0])) for e in errors or ()]
        if errors and not message:
            field, message = errors[0]
        message = strip_key_prefix(message, field)
        super().__init__(message)
        self.message = message
        self.field = field
        self.errors = errors or [FieldError(field, message)]
        if code:
            self.code = code

    def by_field(self) -> dict[str | None, list[str]]:
        """{field: [messages]}, for a form that shows each at its field."""
        out: dict[str | None, list[str]] = {}
        for f, m in self.errors:
            out.setdefault(f, []).append(m)
        return out

    def as_dict(self) -> dict:
        return {"error": self.code, "message": self.message, "field": self.field,
                "errors": [{"field": f, "message": m} for f, m in self.errors]}


def error_body(code: str, message: str, field: str | None = None) -> dict:
    """The JSON of a refusal that is not a DomainError (a 401 from the framework, a 413, a NUL byte)."""
    return DomainError(message, field=field, code=code).as_dict()


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    """Someone else changed the record first (or the action does not fit its current state)."""

    status = 409
    code = "conflict"
