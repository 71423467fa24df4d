"""Accessibility checks on rendered HTML: every form control has a label, no positive tabindex."""

from __future__ import annotations

from html.parser import HTMLParser

UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.controls: list[dict] = []  # attrs of input/select/textarea, with "_in_label"
        self.label_for: set[str] = set()
        self.ids_labelled: set[str] = set()
        self._label_depth = 0
        self.tabindex: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if "tabindex" in a and a["tabindex"].lstrip("-").isdigit() and int(a["tabindex"]) > 0:
            self.tabindex.append(f"<{tag} tabindex={a['tabindex']}>")
        if tag == "label":
            self._label_depth += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        elif tag in ("input", "select", "textarea"):
            a["_tag"] = tag
            a["_in_label"] = self._label_depth > 0
            self.controls.append(a)

    def handle_endtag(self, tag):
        if tag == "label" and self._label_depth:
            self._label_depth -= 1


def unlabelled_controls(html: str) -> list[str]:
    """The controls a screen reader would announce without a name."""
    p = _Forms()
    p.feed(html)
    bad = []
    for c in p.controls:
        if c["_tag"] == "input" and c.get("type", "text").lower() in UNLABELLED_TYPES:
            continue
        if c["_in_label"] or c.get("aria-label") or c.get("aria-labelledby") or c.get("title"):
            continue
        if c.get("id") and c["id"] in p.label_for:
            continue
        bad.append(f"<{c['_tag']} name={c.get('name', '')!r} id={c.get('id', '')!r}>")
    return bad


def positive_tabindex(html: str) -> list[str]:
    p = _Forms()
    p.feed(html)
    return p.tabindex
