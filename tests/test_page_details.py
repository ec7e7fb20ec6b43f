"""Details a reader checks against the source: constructors, dataclass fields, constant values,
type-only imports, and attributes versus methods in class diagrams."""

from __future__ import annotations

from pathlib import Path

from conftest import warnings_of


def artifact(app, docname: str) -> str:
    return (Path(app.doctreedir) / "llmdocs" / "pages" / f"{docname}.myst.txt").read_text(encoding="utf-8")


def test_class_constructor_nature_fields_and_constant_value(project, build):
    app = build(project("basic"))
    assert warnings_of(app) == ""
    page = artifact(app, "llmdocs/shop/catalog")
    assert "`class Product` (dataclass)" in page
    assert "- `sku: str` — field" in page
    assert "**Constructor:** `Catalog()`" in page
    assert "`DEFAULT_CURRENCY = 'EUR'`" in page or '`DEFAULT_CURRENCY = "EUR"`' in page
    # In the class diagram, fields are attributes (no parentheses) and methods are methods.
    diagram = page[page.index("classDiagram") :].split("```")[0]
    assert ": +sku" in diagram and ": +sku()" not in diagram
    assert ": +add()" in diagram


def test_constructor_parameters_survive_defaults_with_brackets(project, build):
    srcdir = project("basic")
    (srcdir / "src" / "shop" / "ledger.py").write_text(
        '"""A ledger."""\n\n\nclass Ledger:\n    """Entries."""\n\n'
        "    def __init__(self, entries: tuple[int, ...] = (), *, name: str = \"a,b\") -> None:\n"
        "        self.entries = entries\n"
    )
    app = build(srcdir)
    page = artifact(app, "llmdocs/shop/ledger")
    assert '**Constructor:** `Ledger(entries: tuple[int, ...] = (), *, name: str = "a,b")`' in page


def test_type_only_imports_are_marked_and_dashed(project, build):
    srcdir = project("basic")
    (srcdir / "src" / "shop" / "report.py").write_text(
        '"""Reports."""\n\nfrom typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n'
        "    from shop.cart import Cart\n\n\ndef lines(cart: \"Cart\") -> int:\n"
        '    """How many lines."""\n    return len(cart.lines())\n'
    )
    app = build(srcdir)
    assert warnings_of(app) == ""
    page = artifact(app, "llmdocs/shop/report")
    assert "{doc}`shop.cart </llmdocs/shop/cart>` (type-only: under `TYPE_CHECKING`)" in page
    assert "-.->" in page
    cart = artifact(app, "llmdocs/shop/cart")
    assert "-.->" in cart  # the importer's edge is dotted on the imported module's page too
    assert "`shop.pricing </llmdocs/shop/pricing>` (type-only" not in cart
