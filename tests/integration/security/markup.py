"""What in a page's HTML would run or style it from inline code: everything the Content-Security-Policy
refuses, and everything a stored script would need to run."""

from __future__ import annotations

from html.parser import HTMLParser


class _InlineCode(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for name in attributes:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…> (an inline event handler)")
            elif name == "style":
                self.found.append(f"<{tag} style=…> (an inline style)")
        if tag == "script" and not (attributes.get("src") or "").startswith("/static/"):
            self.found.append(f"<script src={attributes.get('src')!r}> (inline or foreign script)")
        if tag == "style":
            self.found.append("<style> (an inline style sheet)")
        if tag in ("iframe", "object", "embed", "base"):
            self.found.append(f"<{tag}>")
        for name in ("href", "src", "action", "formaction"):
            if (attributes.get(name) or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:…>")


def inline_code(html: str) -> list[str]:
    """Every element or attribute of ``html`` that is inline code (empty for a page that is clean)."""
    parser = _InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found
