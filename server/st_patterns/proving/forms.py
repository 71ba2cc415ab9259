"""Read the first HTML form of a page the way a browser would submit it, so a probe can log in through a real
login page (an identity provider's consent form, a password form) without knowing its hidden fields.

Example::

    form = first_form(html, base_url="http://127.0.0.1:9400/oauth2/authorize?client_id=app")
    form.action, form.method, form.fields      # fields: the inputs a browser would send, hidden ones included
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)


class _FirstForm(HTMLParser):
    def __init__(self, base_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base_url = base_url
        self.form: Form | None = None
        self.done = False
        self._textarea: str | None = None
        self._select: str | None = None
        self._submitted = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:
            return
        a = {key: value or "" for key, value in attrs}
        if tag == "form" and self.form is None:
            action = urljoin(self.base_url, a.get("action", "")) if a.get("action") else self.base_url
            self.form = Form(action=action, method=(a.get("method") or "get").upper())
            return
        if self.form is None:
            return
        if tag == "option":
            if self._select is not None and ("selected" in a or self._select not in self.form.fields):
                self.form.fields[self._select] = a.get("value", "")
            return
        if "name" not in a:
            return
        name = a["name"]
        kind = a.get("type", "submit" if tag == "button" else "text").lower()
        if tag == "select":
            self._select = name
        elif tag == "textarea":
            self._textarea = name
            self.form.fields[name] = ""
        elif kind in ("submit", "image") and tag in ("button", "input"):
            if not self._submitted:  # a browser sends only the button that was clicked: the first one
                self.form.fields[name] = a.get("value", "")
                self._submitted = True
        elif tag == "input" and kind in ("checkbox", "radio"):
            if "checked" in a:
                self.form.fields[name] = a.get("value", "on")
        elif tag == "input" and kind != "button":
            self.form.fields.setdefault(name, a.get("value", ""))

    def handle_data(self, data: str) -> None:
        if self.form is not None and self._textarea is not None:
            self.form.fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form" and self.form is not None:
            self.done = True


def first_form(html: str, base_url: str) -> Form | None:
    """The page's first ``<form>`` with its action resolved against ``base_url``; None when there is none."""
    parser = _FirstForm(base_url)
    parser.feed(html)
    parser.close()
    return parser.form
