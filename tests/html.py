"""Reading a page's HTML the way assistive technology does: what text a field's aria-describedby points at, and
which id references (aria-describedby, aria-labelledby, aria-controls, label for) point at nothing."""

from __future__ import annotations

from html.parser import HTMLParser

REFERENCE_ATTRIBUTES = ("aria-describedby", "aria-labelledby", "aria-controls")


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.attrs_by_id: dict[str, dict[str, str]] = {}
        self.text_by_id: dict[str, list[str]] = {}
        self.references: list[tuple[str, str, str]] = []  # (element id or tag, attribute, referenced id)
        self._open: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        element_id = attrs.get("id")
        if element_id:
            self.attrs_by_id[element_id] = attrs
            self.text_by_id.setdefault(element_id, [])
        for name in REFERENCE_ATTRIBUTES:
            for ref in attrs.get(name, "").split():
                self.references.append((element_id or tag, name, ref))
        if tag == "label" and attrs.get("for"):
            self.references.append(("label", "for", attrs["for"]))
        if tag not in ("input", "br", "hr", "img", "meta", "link", "source", "col", "wbr"):
            self._open.append((tag, element_id))

    def handle_endtag(self, tag):
        while self._open:
            open_tag, _ = self._open.pop()
            if open_tag == tag:
                break

    def handle_data(self, data):
        for _, element_id in self._open:
            if element_id:
                self.text_by_id[element_id].append(data)


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def described_by(html: str, element_id: str) -> str:
    """The text a screen reader reads as the description of the element with `element_id`."""
    page = parse(html)
    refs = page.attrs_by_id[element_id].get("aria-describedby", "").split()
    return " ".join(" ".join("".join(page.text_by_id.get(ref, [])).split()) for ref in refs)


def dangling_references(html: str) -> list[str]:
    """Every aria-describedby / aria-labelledby / aria-controls / label-for id that names no element of the page."""
    page = parse(html)
    return [f"{owner} {attribute}={ref!r}" for owner, attribute, ref in page.references if ref not in page.attrs_by_id]
