"""Domain errors: every refusal carries a code, a Chinese message and the field it concerns.

Services raise these; the API turns them into {"error", "message", "field"} with the status below,
and the pages show the message. Nothing outside this module decides an error's status.
"""


class DomainError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code

    def as_dict(self) -> dict:
        return {"error": self.code, "message": self.message, "field": self.field}


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
