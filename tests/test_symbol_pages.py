"""Sub-pages of large classes, in a real build: reachable, linked from their module, with what they hold."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import FAKE, report_of, warnings_of


def test_a_large_class_gets_a_page_linked_from_its_module(project, build):
    docs = project("basic")
    app = build(docs, llmdocs_backend=FAKE, llmdocs_symbol_page_min_methods=3)
    assert warnings_of(app) == ""  # reachable from a toctree, no broken reference
    out = Path(app.outdir)
    page = out / "llmdocs" / "shop" / "catalog" / "Catalog.html"
    html = page.read_text(encoding="utf-8")
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Class Catalog" in text
    assert '<meta content="All products, by SKU." name="description" />' in html
    assert 'href="../catalog.html"' in html  # the owner link
    assert "class Catalog" in text  # the signature
    for member in (
        "add(self, product: Product)",
        "get(self, sku: str)",
        "price(self, sku: str, quantity: int = 1)",  # signatures as written, PEP 8 spacing
    ):
        assert " ".join(member.split()) in text.replace("( ", "("), member
    assert "Members" in text and "Used By" in text and "Key Members" in text
    assert "shop.orders.placing" in text  # imports Catalog
    module = (out / "llmdocs" / "shop" / "catalog.html").read_text(encoding="utf-8")
    assert 'href="catalog/Catalog.html"' in module and "More about Catalog" in module
    # Its analysis was a prompt of its own, sent once; the next build sends nothing.
    assert report_of(app)["prompts"]["failed"] == 0
    again = build(docs, llmdocs_backend=FAKE, llmdocs_symbol_page_min_methods=3)
    assert report_of(again)["prompts"]["sent"] == 0


def test_no_symbol_pages_below_the_threshold(project, build):
    app = build(project("basic"), llmdocs_backend=FAKE)
    assert not (Path(app.outdir) / "llmdocs" / "shop" / "catalog" / "Catalog.html").exists()
