"""Hostile model answers (fixed text per prompt, from the root's backend) cannot put markup in the site."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import warnings_of

#: Elements the model tried to inject; none may appear in the page body.
FORBIDDEN_TAGS = {
    "script", "iframe", "img", "style", "svg", "marquee", "b", "object", "embed", "form", "math", "dl",
    "input", "table", "blockquote", "del", "s",
}  # fmt: skip


class _Body(HTMLParser):
    """Tags, link targets and headings inside the page's main body (outside Sphinx's own chrome)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.tags: list[str] = []
        self.hrefs: list[str] = []
        self.headings: list[str] = []
        self.attrs: list[str] = []
        self.classes: set[str] = set()
        self._heading: list[str] | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if self.depth == 0 and attributes.get("role") == "main":
            self.depth = 1
            return
        if self.depth:
            if tag not in {"br", "img", "hr", "meta", "link", "input"}:
                self.depth += 1
            self.tags.append(tag)
            self.attrs.extend(name for name, _ in attrs)
            self.classes.update((attributes.get("class") or "").split())
            if "href" in attributes:
                self.hrefs.append(attributes["href"] or "")
            if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
                self._heading = []

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1
            if tag.startswith("h") and tag[1:].isdigit() and self._heading is not None:
                self.headings.append("".join(self._heading).replace("¶", "").strip())
                self._heading = None

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)
            if self._heading is not None:
                self._heading.append(data)


def body_of(path: Path) -> _Body:
    parser = _Body()
    parser.feed(path.read_text(encoding="utf-8"))
    assert parser.tags, f"no main body found in {path}"
    return parser


#: Every optional MyST syntax a user might switch on (linkify needs an extra package and links http only).
ALL_MYST_EXTENSIONS = [
    "amsmath", "attrs_block", "attrs_inline", "colon_fence", "deflist", "dollarmath", "fieldlist",
    "html_admonition", "html_image", "replacements", "smartquotes", "strikethrough", "substitution",
    "tasklist", "alert",
]  # fmt: skip


@pytest.fixture(scope="module", params=["default MyST", "every MyST extension"])
def hostile_build(tmp_path_factory, request):
    """One build of the hostile root per MyST configuration, shared by the checks below."""
    import shutil

    from conftest import ROOTS
    from sphinx.testing.util import SphinxTestApp

    srcdir = tmp_path_factory.mktemp("hostile") / "src"
    shutil.copytree(ROOTS / "test-hostile", srcdir)
    overrides = {}
    if request.param == "every MyST extension":
        overrides = {
            "myst_enable_extensions": ALL_MYST_EXTENSIONS,
            "myst_substitutions": {"substitution": "X"},
        }
    app = SphinxTestApp("html", srcdir=srcdir, confoverrides=overrides)
    try:
        app.build()
        yield app
    finally:
        app.cleanup()


def _pages(app) -> list[Path]:
    return sorted((Path(app.outdir) / "llmdocs").rglob("*.html"))


def test_no_injected_element_attribute_or_link_reaches_the_html(hostile_build):
    pages = _pages(hostile_build)
    assert len(pages) == 3
    for page in pages:
        body = body_of(page)
        assert not FORBIDDEN_TAGS & set(body.tags), (page.name, FORBIDDEN_TAGS & set(body.tags))
        assert not {"math", "field-list", "admonition", "task-list-item"} & set(body.classes), page.name
        assert not {a for a in body.attrs if a.startswith("on")}, page.name
        for href in body.hrefs:
            assert not href.lower().startswith(("javascript:", "data:", "vbscript:")), (page.name, href)
    widgets = body_of(Path(hostile_build.outdir) / "llmdocs" / "hostile" / "widgets.html")
    # The allowed link survives, the hostile ones lost their target but kept their words.
    assert "https://example.org/widgets" in widgets.hrefs
    text = "".join(widgets.text)
    assert "See the docs or this or a safe page" in text
    # Raw HTML, directives and fences are inert text the reader can see.
    # (smartquotes curls the quotes of the text; the tags are what matters)
    assert re.search(r"<script>alert\(.summary.\)</script>", text)
    assert "{eval-rst}" in text and ":::{raw} html" in text and ".. raw:: html" in text


def test_model_headings_do_not_become_sections(hostile_build):
    widgets = body_of(Path(hostile_build.outdir) / "llmdocs" / "hostile" / "widgets.html")
    assert "Injected Heading" not in widgets.headings
    assert "Details" not in widgets.headings
    assert "Injected Heading" in "".join(widgets.text)  # kept as a paragraph
    assert widgets.headings[:2] == ["Module hostile.widgets", "Summary"]


def test_model_target_and_table_do_not_become_markup(hostile_build):
    widgets = body_of(Path(hostile_build.outdir) / "llmdocs" / "hostile" / "widgets.html")
    assert "table" not in widgets.tags
    html = (Path(hostile_build.outdir) / "llmdocs" / "hostile" / "widgets.html").read_text()
    assert 'id="injected-target"' not in html


def test_a_one_megabyte_answer_is_cut_and_reported(hostile_build):
    index = Path(hostile_build.outdir) / "llmdocs" / "index.html"
    assert index.stat().st_size < 100_000
    assert "alert('deep')" not in index.read_text(encoding="utf-8")
    cut = r"prompt index misbehaved: answer cut from 10\d{5} to 20000 characters"
    assert re.search(cut, warnings_of(hostile_build))


def test_each_misbehaving_prompt_is_named_in_one_warning(hostile_build):
    lines = [line for line in warnings_of(hostile_build).splitlines() if "WARNING" in line]
    assert all("[llmdocs.unsafe_output]" in line for line in lines), lines
    expected = {
        "module:hostile.widgets": ["javascript:alert(1)", "data:text/html", "{eval-rst}", "MyST role {raw}",
                                   "colon fence", "reST directive", "heading", "code fence", "<iframe"],
        "analysis:hostile.widgets#1": ["<style>", "heading", "MyST target", "table", "image"],
        "package:hostile": ["raw HTML", "inline math", "block quote"],
        "index": ["answer cut"],
    }  # fmt: skip
    for prompt, fragments in expected.items():
        mine = [line for line in lines if f"prompt {prompt} misbehaved:" in line]
        assert len(mine) == 1, (prompt, lines)
        for fragment in fragments:
            assert fragment in mine[0], (prompt, fragment, mine[0])
    # The warning is located at the page that shows the prose.
    assert any(line.split(": WARNING")[0].endswith("llmdocs/hostile/widgets.rst") for line in lines)
