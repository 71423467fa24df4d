"""Search-result helpers: the words of the question marked in a result's text."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def mark_terms(text: str, terms: list[str]) -> SafeString:
    """The text, HTML-escaped, with every occurrence of a term wrapped in <mark>. Spans are found on
    the raw text and each piece escaped on its own, so a term can never match inside an entity."""
    text = str(text or "")
    terms = [t for t in terms or [] if t]
    if not terms:
        return mark_safe(escape(text))
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.I)
    out, at = [], 0
    for m in pattern.finditer(text):
        out.append(escape(text[at:m.start()]))
        out.append(f"<mark>{escape(m.group(0))}</mark>")
        at = m.end()
    out.append(escape(text[at:]))
    return mark_safe("".join(out))


@register.filter
def marked(text, terms):
    return mark_terms(text, terms)
