"""End-to-end builds of test roots through ``sphinx.testing``: what a user sees in the HTML."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import FAKE, report_of, warnings_of
from sphinx.errors import ConfigError

MODULE_SECTIONS = [
    "Summary",
    "Imports",
    "Imported By",
    "Dependency Diagram",
    "Classes",
    "Functions",
    "Internal Structure",
    "Related Pages",
]


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.headings: list[str] = []
        self.links: list[str] = []
        self._in_heading = False
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"h1", "h2", "h3"}:
            self._in_heading, self._text = True, []
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if "reference internal" in (dict(attrs).get("class") or ""):
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"h1", "h2", "h3"} and self._in_heading:
            self.headings.append("".join(self._text).replace("¶", "").strip())
            self._in_heading = False

    def handle_data(self, data: str) -> None:
        if self._in_heading:
            self._text.append(data)


def parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_module_page_has_every_section_and_a_mermaid_diagram(project, build):
    app = build(project("basic"))
    assert warnings_of(app) == ""
    html = Path(app.outdir) / "llmdocs" / "shop" / "catalog.html"
    page = parse(html)
    assert "Module shop.catalog" in page.headings
    for section in MODULE_SECTIONS:
        assert section in page.headings, f"{section} missing from {page.headings}"
    text = html.read_text(encoding="utf-8")
    assert 'class="mermaid"' in text
    assert "shop.pricing" in text  # the diagram and the import list name the imported module


def test_empty_sections_are_omitted(project, build):
    app = build(project("basic"))
    # shop.cart defines a class but no public function and no constant.
    page = parse(Path(app.outdir) / "llmdocs" / "shop" / "cart.html")
    assert "Classes" in page.headings
    assert "Functions" not in page.headings
    assert "Constants" not in page.headings


def test_links_between_generated_pages_resolve(project, build):
    srcdir = project("basic")
    app = build(srcdir, nitpicky=True)
    assert warnings_of(app) == ""
    outdir = Path(app.outdir)
    checked = 0
    for html in (outdir / "llmdocs").rglob("*.html"):
        for href in parse(html).links:
            target = href.split("#")[0]
            if not target:
                continue
            assert (html.parent / target).resolve().is_file(), f"{html}: broken link {href}"
            checked += 1
    assert checked > 20
    # The package page links to its modules; the index reaches the package.
    index = parse(outdir / "llmdocs" / "index.html")
    assert any(link.endswith("shop/index.html") for link in index.links)
    package = parse(outdir / "llmdocs" / "shop" / "index.html")
    assert any(link.endswith("catalog.html") for link in package.links)
    assert any(link.endswith("orders/index.html") for link in package.links)


def test_every_generated_page_is_in_a_toctree(project, build):
    app = build(project("basic"))
    assert "isn't included in any toctree" not in warnings_of(app)
    generated = {d for d in app.env.found_docs if d.startswith("llmdocs/")}
    assert generated == {
        "llmdocs/index",
        "llmdocs/shop/index",
        "llmdocs/shop/catalog",
        "llmdocs/shop/cart",
        "llmdocs/shop/pricing",
        "llmdocs/shop/orders/index",
        "llmdocs/shop/orders/placing",
    }


def test_second_build_sends_no_prompt_and_rewrites_no_stub(project, build):
    srcdir = project("basic")
    first = build(srcdir, llmdocs_backend=FAKE)
    report = report_of(first)
    assert report["prompts"]["sent"] == report["prompts"]["total"] > 0
    assert report["prompts"]["cache_hits"] == 0
    stubs = sorted((srcdir / "llmdocs").rglob("*.rst"))
    mtimes = {p: p.stat().st_mtime_ns for p in stubs}
    cache_entries = list((Path(first.doctreedir) / "llmdocs" / "cache").rglob("*.json"))
    assert len(cache_entries) == report["prompts"]["total"]

    second = build(srcdir, llmdocs_backend=FAKE)
    again = report_of(second)
    assert again["prompts"]["sent"] == 0
    assert again["prompts"]["cache_hits"] == report["prompts"]["total"]
    assert {p: p.stat().st_mtime_ns for p in stubs} == mtimes
    status = second.status.getvalue() if hasattr(second, "status") else second._status.getvalue()
    assert "0 added, 0 changed, 0 removed" in status


def test_cache_answers_feed_identical_pages(project, build):
    srcdir = project("basic")
    first = build(srcdir, llmdocs_backend=FAKE)
    pages = Path(first.doctreedir) / "llmdocs" / "pages"
    before = {p: p.read_bytes() for p in pages.rglob("*.txt")}
    build(srcdir, llmdocs_backend=FAKE)
    assert {p: p.read_bytes() for p in pages.rglob("*.txt")} == before


def test_offline_output_is_the_same_on_two_runs(project, build):
    a = build(project("basic", "run-a"))
    b = build(project("basic", "run-b"))
    pages_a = Path(a.doctreedir) / "llmdocs" / "pages"
    pages_b = Path(b.doctreedir) / "llmdocs" / "pages"
    texts_a = {p.relative_to(pages_a): p.read_text() for p in pages_a.rglob("*.txt")}
    texts_b = {p.relative_to(pages_b): p.read_text() for p in pages_b.rglob("*.txt")}
    assert texts_a == texts_b
    assert len(texts_a) == 7
    assert report_of(a)["prompts"]["offline"] == report_of(a)["prompts"]["total"]


def test_stale_stub_is_removed_when_a_module_disappears(project, build):
    srcdir = project("basic")
    build(srcdir)
    assert (srcdir / "llmdocs" / "shop" / "orders" / "placing.rst").is_file()
    handwritten = srcdir / "llmdocs" / "notes.rst"
    handwritten.write_text("Notes\n=====\n\n:orphan:\n")
    (srcdir / "src" / "shop" / "orders" / "placing.py").unlink()
    app = build(srcdir)
    assert not (srcdir / "llmdocs" / "shop" / "orders" / "placing.rst").exists()
    assert handwritten.is_file(), "a file the extension did not write must never be deleted"
    assert "llmdocs/shop/orders/placing" not in app.env.found_docs


def test_missing_package_path_is_a_config_error_naming_setting_and_path(project, make_app):
    srcdir = project("missing-path")
    with pytest.raises(ConfigError) as info:
        make_app("html", srcdir=srcdir)
    message = str(info.value)
    assert "llmdocs_packages" in message
    assert "src/does_not_exist" in message


def test_invalid_settings_are_all_reported(project, make_app):
    srcdir = project("basic")
    with pytest.raises(ConfigError) as info:
        make_app(
            "html",
            srcdir=srcdir,
            confoverrides={"llmdocs_backend": "gpt", "llmdocs_max_concurrency": 0},
        )
    assert "llmdocs_backend" in str(info.value)
    assert "llmdocs_max_concurrency" in str(info.value)


def test_syntax_error_is_one_warning_with_path_and_line(project, build):
    srcdir = project("syntax-error")
    app = build(srcdir)
    warnings = [w for w in warnings_of(app).splitlines() if "WARNING" in w]
    assert len(warnings) == 1, warnings
    bad = srcdir / "src" / "broken" / "bad.py"
    assert re.search(rf"{re.escape(str(bad))}:4: WARNING: syntax error", warnings[0])
    assert "[llmdocs.source]" in warnings[0]
    outdir = Path(app.outdir) / "llmdocs" / "broken"
    assert (outdir / "good.html").is_file()
    assert (outdir / "index.html").is_file()
    assert not (outdir / "bad.html").exists()


def test_suppress_warnings_silences_a_subtype(project, build):
    app = build(project("syntax-error"), suppress_warnings=["llmdocs.source"])
    assert warnings_of(app) == ""


def test_child_pages_nest_under_the_page_title_not_its_last_section(project, build):
    from docutils import nodes
    from sphinx import addnodes

    app = build(project("basic"))
    for docname, title in (("llmdocs/shop/index", "Package shop"), ("llmdocs/index", "shop architecture")):
        doctree = app.env.get_doctree(docname)
        (toctree,) = doctree.findall(addnodes.toctree)
        section = toctree.parent
        while not isinstance(section, nodes.section):
            section = section.parent
        assert section[0].astext() == title, docname
