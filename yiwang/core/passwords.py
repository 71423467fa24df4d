"""Password policy (等保 2.0 level 3 身份鉴别): length, three of four character classes, not a common
password (Django's list of 20 000), not like the user's name; a changed password revokes the
user's API tokens."""

from django.core.exceptions import ValidationError


class CharacterClassesValidator:
    """At least `classes` of: lower-case letters, capitals, digits, other characters."""

    def __init__(self, classes: int = 3):
        self.classes = classes

    def validate(self, password: str, user=None) -> None:
        kinds = [any(c.islower() for c in password), any(c.isupper() for c in password),
                 any(c.isdigit() for c in password), any(not c.isalnum() for c in password)]
        if sum(kinds) < self.classes:
            raise ValidationError(f"密码须包含小写字母、大写字母、数字、符号中的至少{self.classes}类",
                                  code="password_classes")

    def get_help_text(self) -> str:
        return f"密码须包含小写字母、大写字母、数字、符号中的至少{self.classes}类。"


class RevokeTokensOnChange:
    """Not a check: Django calls password_changed() on every validator after a password is set and
    saved — the moment to revoke the user's API tokens and write the audit row."""

    def validate(self, password: str, user=None) -> None:
        return None

    def password_changed(self, password: str, user=None) -> None:
        if user is None or not getattr(user, "pk", None):
            return
        from .audit import audit_record
        from .auth import tokens_revoke
        from .models import AuditAction

        tokens_revoke(user=user, reason="password_changed")
        audit_record(action=AuditAction.PASSWORD_CHANGED, actor=user)

    def get_help_text(self) -> str:
        return ""
