"""``python -m sphinxcontrib_llmdocs facts --json`` carries what issue 3 added, next to the old keys."""

from __future__ import annotations

import json

from conftest import ROOTS
from test_cli import run_facts


def test_facts_json_carries_relations_signatures_and_type_only_imports():
    result = run_facts(str(ROOTS / "test-extract-relations" / "src"), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    modules = {m["name"]: m for m in data["modules"]}
    animals = modules["zoo.animals"]
    assert {"name", "path", "is_package", "imports", "external_imports", "symbols"} <= set(animals)
    assert animals["type_only_imports"] == ["zoo.keeping"]
    assert animals["imported_by"] == ["zoo", "zoo._speedups", "zoo.feeding", "zoo.keeping"]
    assert modules["zoo"]["reexports"]["Keeper"] == "zoo.keeping.Keeper"
    assert modules["zoo.registry"]["stub"] == "zoo/registry.pyi"
    symbols = {s["qualname"]: s for s in animals["symbols"]}
    describe = symbols["zoo.animals.Animal.describe"]
    for key in ("qualname", "kind", "line", "end_line", "signature", "docstring", "calls", "called_by"):
        assert key in describe
    assert describe["calls"] == ["zoo.animals.Animal.sound"]
    assert describe["called_by"] == ["zoo.animals.Cat.escape"]
    assert (describe["line"], describe["end_line"], describe["signature"]) == (43, 44, "(self) -> str")
    cat = symbols["zoo.animals.Cat"]
    assert (cat["bases"], cat["resolved_bases"]) == (["Animal"], ["zoo.animals.Animal"])
    assert symbols["zoo.animals.Animal"]["derived"] == ["zoo.animals.Cat"]
    assert symbols["zoo.animals.Animal"]["docstring"] == "An animal."
    assert symbols["zoo.animals.Animal"]["nature"] == "dataclass"
    assert data["namespace_packages"] == []
    assert data["diagnostics"] == []
