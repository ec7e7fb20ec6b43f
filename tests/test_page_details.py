"""Details a reader checks against the source: constructors, dataclass fields, constant values,
type-only imports, and attributes versus methods in class diagrams."""

from __future__ import annotations

import re
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


def test_overloads_and_reexports_are_on_the_page(project, build):
    srcdir = project("basic")
    (srcdir / "src" / "shop" / "units.py").write_text(
        '"""Units."""\n\nfrom typing import overload\n\n\n@overload\ndef to_kg(value: int) -> int: ...\n'
        "@overload\ndef to_kg(value: float, unit: str) -> float: ...\n"
        'def to_kg(value, unit="kg"):\n    """Kilograms."""\n    return value\n'
    )
    app = build(srcdir)
    assert warnings_of(app) == ""
    units = artifact(app, "llmdocs/shop/units")
    assert "**Overloads:**" in units
    assert "- `def to_kg(value: int) -> int`" in units
    assert "- `def to_kg(value: float, unit: str) -> float`" in units
    package = artifact(app, "llmdocs/shop/index")
    assert "## Re-exports" in package
    assert "<shop.catalog.Catalog>` — from {doc}`shop.catalog </llmdocs/shop/catalog>`" in package
    html = (Path(app.outdir) / "llmdocs" / "shop" / "index.html").read_text(encoding="utf-8")
    assert 'href="catalog.html#llmdocs-shop-catalog-catalog"' in html


def test_type_only_edges_are_dotted_in_package_diagrams_and_marked_in_imported_by(project, build):
    srcdir = project("basic")
    (srcdir / "src" / "shop" / "reports").mkdir()
    (srcdir / "src" / "shop" / "reports" / "__init__.py").write_text('"""Reports."""\n')
    (srcdir / "src" / "shop" / "reports" / "audit.py").write_text(
        '"""Audit."""\n\nfrom typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n'
        "    from shop.cart import Cart\n\n\ndef check(cart: \"Cart\") -> bool:\n"
        '    """Whether the cart is fine."""\n    return True\n'
    )
    app = build(srcdir)
    cart = artifact(app, "llmdocs/shop/cart")
    assert "{doc}`shop.reports.audit </llmdocs/shop/reports/audit>` (type-only)" in cart
    assert "{doc}`shop.orders.placing </llmdocs/shop/orders/placing>` (type-only)" not in cart
    package = artifact(app, "llmdocs/shop/index")
    diagram = package[package.index("## Package Diagram") :].split("```")[1]
    ids = {label: node for node, label in re.findall(r'(n\d+)\["([^"]+)"\]', diagram)}
    # reports reaches cart only under TYPE_CHECKING: dotted; orders imports cart at run time: solid.
    assert f"{ids['shop.reports']} -.-> {ids['shop.cart']}" in diagram
    assert f"{ids['shop.orders']} --> {ids['shop.cart']}" in diagram
