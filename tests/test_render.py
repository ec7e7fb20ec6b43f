"""What a reader sees on generated pages: references, grounding, meta description, diagrams, llms.txt."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import report_of, warnings_of

from sphinxcontrib_llmdocs.config import LlmdocsConfig
from sphinxcontrib_llmdocs.extract import extract_project
from sphinxcontrib_llmdocs.plan import plan_project
from sphinxcontrib_llmdocs.render.mentions import SymbolIndex, is_mention
from sphinxcontrib_llmdocs.render.mermaid import (
    MAX_DIAGRAM_NODES,
    ClassBox,
    class_diagram,
    flowchart,
    too_large_note,
)
from sphinxcontrib_llmdocs.render.sanitize import sanitize_prose

GARDEN = Path(__file__).parent / "roots" / "test-mentions" / "src" / "garden"


def mention_links(html: str) -> dict[str, str | None]:
    """Each counted mention's text and the href it links to (``None``: left literal)."""
    found: dict[str, str | None] = {}
    for match in re.finditer(r'<span class="llmdocs-mention">(.*?)</code>', html, re.DOTALL):
        inner = match.group(1)
        text = re.sub(r"<[^>]+>", "", inner)
        href = re.search(r'href="([^"]+)"', inner)
        found[text] = href.group(1) if href else None
    return found


@pytest.fixture
def mentions_build(project, build):
    srcdir = project("mentions")
    return srcdir, build(srcdir, nitpicky=True)


def test_mentions_link_to_autodoc_generated_sections_or_intersphinx_else_stay_literal(mentions_build):
    _, app = mentions_build
    assert warnings_of(app) == ""  # nitpicky: the unresolved mention is not a broken reference
    html = (Path(app.outdir) / "llmdocs" / "garden" / "tools.html").read_text(encoding="utf-8")
    links = mention_links(html)
    assert links["Plant"] == "../../api.html#garden.plants.Plant"  # the autodoc object
    assert links["water()"] == "plants.html#llmdocs-garden-plants-water"  # its generated section
    assert links["pathlib.Path"] == "https://docs.python.org/3/library/pathlib.html#pathlib.Path"
    assert links["garden.plants"] == "plants.html#llmdocs-garden-plants"
    assert links["Shovel.dig"] == "#llmdocs-garden-tools-shovel"
    assert links["no_such_thing"] is None
    assert "x + 1" not in links  # code that names nothing is not a mention
    # External imports link through intersphinx too (not counted: the model did not write them).
    assert re.search(
        r'href="https://docs.python.org/3/library/pathlib.html#module-pathlib".*?pathlib.*?\(external\)', html
    )
    # The targets exist on the pages they point to.
    plants = (Path(app.outdir) / "llmdocs" / "garden" / "plants.html").read_text(encoding="utf-8")
    assert 'id="llmdocs-garden-plants-water"' in plants


def test_report_gives_grounding_per_page_and_in_total(mentions_build):
    _, app = mentions_build
    grounding = report_of(app)["grounding"]
    tools = grounding["pages"]["llmdocs/garden/tools"]
    assert tools == {"resolved": 6, "unresolved": 1, "unresolved_names": ["no_such_thing"]}
    pages = grounding["pages"].values()
    assert grounding["resolved"] == sum(p["resolved"] for p in pages)
    assert grounding["unresolved"] == sum(p["unresolved"] for p in pages)
    total = grounding["resolved"] + grounding["unresolved"]
    assert grounding["ratio"] == round(grounding["resolved"] / total, 4)
    assert "no_such_thing" in grounding["unresolved_names"]


def test_grounding_of_pages_not_rewritten_is_kept(mentions_build, build):
    srcdir, first = mentions_build
    second = build(srcdir, nitpicky=True)
    status = second._status.getvalue() if hasattr(second, "_status") else second.status.getvalue()
    assert "0 added, 0 changed, 0 removed" in status
    assert report_of(second)["grounding"] == report_of(first)["grounding"]


def test_symbol_index_prefers_the_module_and_its_imports_and_refuses_ambiguity():
    facts = extract_project([GARDEN])
    plan = plan_project(facts, LlmdocsConfig(packages=(GARDEN,)), "garden")
    index = SymbolIndex(facts, plan)
    tools = facts.module("garden.tools")
    assert index.resolve("Plant", tools) == "garden.plants.Plant"
    assert index.resolve("Plant.grow()", tools) == "garden.plants.Plant.grow"
    assert index.resolve("dig", tools) == "garden.tools.Shovel.dig"
    assert index.resolve("garden.tools", None) == "garden.tools"
    assert index.resolve("pathlib.Path", tools) is None
    assert index.locate("garden.plants.Plant.grow").label == "llmdocs-garden.plants.plant"  # its class
    assert not is_mention("x + 1") and not is_mention("None") and is_mention("Plant.grow()")


def test_page_meta_description_is_the_first_sentence_of_the_summary(mentions_build):
    _, app = mentions_build
    html = (Path(app.outdir) / "llmdocs" / "garden" / "tools.html").read_text(encoding="utf-8")
    meta = re.search(r'<meta content="([^"]*)" name="description"', html)
    assert meta is not None
    assert meta.group(1) == (
        "Tools tend each Plant (documented by autodoc), call water() (a generated section), take a "
        "pathlib.Path (Python's own docs), touch no_such_thing (nothing) and live next to "
        "garden.plants (a page); Shovel.dig digs."
    )


def test_class_structure_diagram_shows_bases_subclasses_and_members(mentions_build):
    _, app = mentions_build
    markdown = (
        Path(app.doctreedir) / "llmdocs" / "pages" / "llmdocs" / "garden" / "plants.myst.txt"
    ).read_text()
    diagram = markdown.split("## Classes")[1].split("```")[1]
    assert diagram.startswith("{mermaid}\nclassDiagram")
    assert 'class c0["Plant"]' in diagram and 'class c1["Rose"]' in diagram
    assert "c0 : +grow()" in diagram
    assert "c0 <|-- c1" in diagram  # Rose derives from Plant
    # Sections in order, empty ones left out (no constants here).
    headings = re.findall(r"^## (.+)$", markdown, re.MULTILINE)
    assert headings == [
        "Summary", "Imported By", "Dependency Diagram", "Classes", "Functions", "Internal Structure",
        "Related Pages",
    ]  # fmt: skip
    html = (Path(app.outdir) / "llmdocs" / "garden" / "plants.html").read_text(encoding="utf-8")
    assert html.count('class="mermaid"') == 2


def test_package_and_index_pages_have_their_sections(project, build):
    app = build(project("basic"))
    pages = Path(app.doctreedir) / "llmdocs" / "pages" / "llmdocs"
    package = pages.joinpath("shop", "index.myst.txt").read_text()
    for heading in ("## Summary", "## Sub-packages", "## Modules", "## Package Diagram", "## Related Pages"):
        assert heading in package, heading
    assert "- {doc}`shop.catalog </llmdocs/shop/catalog>` — The product catalog." in package
    index = pages.joinpath("index.myst.txt").read_text()
    for heading in ("## Overview", "## Packages and Modules", "## Project Dependency Diagram"):
        assert heading in index, heading


def test_llms_txt_lists_every_generated_page_with_its_summary(project, build):
    app = build(project("basic"))
    text = (Path(app.outdir) / "llms.txt").read_text(encoding="utf-8")
    assert text.startswith("# shop\n\n> ")
    entries = re.findall(r"^- \[(.+?)\]\((.+?)\)(?:: (.*))?$", text, re.MULTILINE)
    assert len(entries) == 7
    assert ("Module shop.catalog", "llmdocs/shop/catalog.html", "The product catalog.") in entries
    for _, url, _ in entries:
        assert (Path(app.outdir) / url).is_file()


def test_llms_txt_can_be_switched_off(project, build):
    app = build(project("basic"), llmdocs_llms_txt=False)
    assert not (Path(app.outdir) / "llms.txt").exists()


def test_diagrams_have_a_floor_and_a_cap():
    assert flowchart(["a"], []) is None  # below the floor
    assert flowchart(["a", "b"], []) is None  # nothing connects
    many = [f"m{i}" for i in range(MAX_DIAGRAM_NODES + 1)]
    assert flowchart(many, [(many[0], many[1])]) is None
    note = too_large_note(len(many), 3, "modules")
    assert note is not None and str(MAX_DIAGRAM_NODES) in note and "41 modules" in note
    assert too_large_note(MAX_DIAGRAM_NODES, 3, "modules") is None


def test_diagram_labels_render_any_identifier():
    diagram = class_diagram([ClassBox('Odd"<Name>`&'), ClassBox("Base")], [('Odd"<Name>`&', "Base")])
    assert diagram is not None
    assert 'class c0["Odd#quot;#lt;Name#gt;#96;#amp;"]' in diagram
    assert "c1 <|-- c0" in diagram


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Use ``a`b`` here.", "Use ``a`b`` here."),
        ("- one\n  - nested\n- two", "- one\n  - nested\n- two"),
        ("- a\n\n  more\n- b", "- a\n\n  more\n\n- b"),
        ("3. third\n4. fourth", "3. third\n4. fourth"),
        ("**bold** and _em_", "**bold** and *em*"),
        ("{llmdocs-ref}`x <evil>`", "\\{llmdocs-ref\\}`x <evil>`"),
    ],
)
def test_sanitiser_re_emits_allowed_markdown_canonically(source, expected):
    assert sanitize_prose(source).text == expected


def test_sanitiser_turns_code_mentions_into_what_the_hook_returns():
    safe = sanitize_prose(
        "Call `Pantry.add` or `x + 1`.", code=lambda c: "[X]" if c == "Pantry.add" else None
    )
    assert safe.text == "Call [X] or `x + 1`."


def test_report_has_grounding_even_without_mentions(project, build):
    app = build(project("syntax-error"))
    data = json.loads((Path(app.outdir) / "llmdocs-report.json").read_text())
    assert set(data["grounding"]) == {"resolved", "unresolved", "ratio", "unresolved_names", "pages"}


def test_a_mermaid_folder_without_the_script_is_a_config_error_naming_the_setting(
    project, make_app, tmp_path
):
    from sphinx.errors import ConfigError

    empty = tmp_path / "not-mermaid"
    empty.mkdir()
    with pytest.raises(ConfigError) as info:
        make_app("html", srcdir=project("basic"), confoverrides={"llmdocs_mermaid_js": str(empty)})
    assert "llmdocs_mermaid_js" in str(info.value) and "mermaid.esm.min.mjs" in str(info.value)


def test_local_mermaid_is_copied_into_the_site_and_used_instead_of_the_cdn(project, build, tmp_path):
    dist = tmp_path / "dist"
    (dist / "chunks" / "mermaid.esm.min").mkdir(parents=True)
    (dist / "mermaid.esm.min.mjs").write_text("export default {};\n")
    (dist / "chunks" / "mermaid.esm.min" / "chunk-A.mjs").write_text("export const a = 1;\n")
    (dist / "chunks" / "mermaid.esm.min" / "chunk-A.mjs.map").write_text("{}")
    app = build(project("basic"), llmdocs_mermaid_js=str(dist))
    static = Path(app.outdir) / "_static" / "llmdocs-mermaid"
    assert (static / "mermaid.esm.min.mjs").is_file()
    assert (static / "chunks" / "mermaid.esm.min" / "chunk-A.mjs").is_file()
    assert not (static / "chunks" / "mermaid.esm.min" / "chunk-A.mjs.map").exists()
    html = (Path(app.outdir) / "llmdocs" / "shop" / "catalog.html").read_text(encoding="utf-8")
    assert 'import mermaid from "../../_static/llmdocs-mermaid/mermaid.esm.min.mjs"' in html
    assert "cdn.jsdelivr" not in html


def test_a_diagram_over_the_cap_is_replaced_by_a_summary(tmp_path):
    from sphinxcontrib_llmdocs.render import RenderContext, render_page

    package = tmp_path / "hub"
    package.mkdir()
    (package / "__init__.py").write_text('"""Hub."""\n')
    (package / "core.py").write_text('"""The core everyone imports."""\n')
    for i in range(MAX_DIAGRAM_NODES + 2):
        (package / f"user{i:02d}.py").write_text(f'"""User {i}."""\nfrom hub import core\n')
    facts = extract_project([package])
    plan = plan_project(facts, LlmdocsConfig(packages=(package,)), "hub")
    ctx = RenderContext(facts, plan, {}, {})
    markdown = render_page(plan.page("module:hub.core"), ctx).markdown
    section = markdown.split("## Dependency Diagram")[1].split("##")[0]
    assert "{mermaid}" not in section
    assert f"{MAX_DIAGRAM_NODES + 3} modules" in section and f"at most {MAX_DIAGRAM_NODES}" in section
    imported_by = markdown.split("## Imported By")[1].split("##")[0]
    assert imported_by.count("- {doc}`hub.user") == MAX_DIAGRAM_NODES + 2  # the list still names them all
