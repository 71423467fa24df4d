"""A refusal's errors on a form page: each at its input, all of them, in the message's own words.

A service raises one DomainError with one or more (field, message) pairs (core.errors); a view that
re-renders its form maps the service's field names onto its inputs' names:

    errors = FormErrors(exc, {"form.企业名称": "f_0", "applicant.number": "number"})
    errors["f_0"]   -> ["请填写企业名称"]     (a template: {{ errors.f_0 }}, or the tuples a view builds)
    errors.other    -> messages of fields the form has no input for, shown above the form

The template includes "yiwang/_field_errors.html" with `errs` under each input, and the view renders
with status 400 and the values the user typed.
"""

from __future__ import annotations

from collections.abc import Mapping

from .errors import DomainError


class FormErrors(dict):
    def __init__(self, exc: DomainError | None = None, names: Mapping[str, str] | None = None,
                 inputs: set[str] | None = None):
        """names: {service field: input name}; inputs: the input names the form has (a field that is
        neither mapped nor an input goes to `other`). Without inputs, every mapped field is one."""
        super().__init__()
        self.other: list[str] = []
        names = names or {}
        known = set(inputs or ()) | set(names.values())
        for field, message in (exc.errors if exc is not None else ()):
            name = names.get(field or "", field)
            if name and (name in known or (inputs is None and field in names)):
                self.setdefault(name, []).append(message)
            else:
                self.other.append(message)

    def __bool__(self) -> bool:
        return bool(self.other) or any(self.values())

    def of(self, name: str) -> list[str]:
        return self.get(name, [])
