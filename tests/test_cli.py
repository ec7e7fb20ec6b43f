"""The ``facts`` command, run as a user would: ``python -m sphinxcontrib_llmdocs facts SRC --json``."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOTS


def run_facts(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sphinxcontrib_llmdocs", "facts", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_facts_json_lists_modules_imports_and_symbols():
    result = run_facts(str(ROOTS / "test-basic" / "src" / "shop"), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    modules = {m["name"]: m for m in data["modules"]}
    assert set(modules) == {
        "shop",
        "shop.cart",
        "shop.catalog",
        "shop.pricing",
        "shop.orders",
        "shop.orders.placing",
    }
    # The keys of the first version stay; issue 3 added more (see test_extract_cli.py).
    assert set(modules["shop"]) >= {"name", "path", "is_package", "imports", "external_imports", "symbols"}
    assert modules["shop.orders"]["is_package"] is True
    # The deliberate cycle, both directions.
    assert "shop.cart" in modules["shop.pricing"]["imports"]
    assert "shop.pricing" in modules["shop.cart"]["imports"]
    # Relative imports resolved to full dotted names; "from . import pricing" reaches the module.
    assert modules["shop.orders.placing"]["imports"] == ["shop.cart", "shop.catalog"]
    assert modules["shop.catalog"]["imports"] == ["shop.pricing"]
    assert modules["shop.orders.placing"]["external_imports"] == ["json", "typing"]
    symbols = {s["qualname"]: s for s in modules["shop.catalog"]["symbols"]}
    assert symbols["shop.catalog.Catalog"]["kind"] == "class"
    assert symbols["shop.catalog.Catalog.price"]["kind"] == "method"
    assert symbols["shop.catalog.DEFAULT_CURRENCY"].items() >= {
        "qualname": "shop.catalog.DEFAULT_CURRENCY",
        "kind": "constant",
        "line": 12,
    }.items()
    placing = {s["qualname"]: s["kind"] for s in modules["shop.orders.placing"]["symbols"]}
    assert placing["shop.orders.placing.place_later"] == "async function"
    assert data["diagnostics"] == []


def test_facts_reports_a_syntax_error_with_path_and_line():
    result = run_facts(str(ROOTS / "test-syntax-error" / "src" / "broken"), "--json")
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert [m["name"] for m in data["modules"]] == ["broken", "broken.good"]
    (diagnostic,) = data["diagnostics"]
    assert diagnostic["path"].endswith("broken/bad.py")
    assert diagnostic["line"] == 4


def test_facts_of_a_source_root_documents_every_top_level_package(tmp_path):
    (tmp_path / "alpha").mkdir()
    (tmp_path / "alpha" / "__init__.py").write_text("from beta import thing\n")
    (tmp_path / "beta.py").write_text("thing = 1\n")
    (tmp_path / "notes").mkdir()  # no __init__: not a package, not documented
    (tmp_path / "notes" / "x.py").write_text("")
    result = run_facts(str(tmp_path), "--json")
    data = json.loads(result.stdout)
    assert [m["name"] for m in data["modules"]] == ["alpha", "beta"]
    assert data["modules"][0]["imports"] == ["beta"]


def test_facts_of_a_missing_folder_fails_with_its_name(tmp_path):
    result = run_facts(str(tmp_path / "nope"))
    assert result.returncode == 2
    assert "nope" in result.stderr
