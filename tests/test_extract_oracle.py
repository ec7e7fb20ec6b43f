"""The module import graph we extract equals the one grimp (an independent, maintained import-graph
library) builds, on the example project and on two real third-party packages installed from PyPI.

Deliberate differences, each checked below:

- ``.pyi`` stubs without a ``.py`` (``attr/_typing_compat.pyi``) are modules for us (they document
  names), and grimp, which follows run-time imports, does not see them. Their imports are all type-only.
- Type-only imports (under ``if TYPE_CHECKING:``) are in our graph, as in grimp's default; we also mark
  them (``type_only_imports``), and the graph without them equals grimp's
  ``exclude_type_checking_imports=True``.
- Nothing else: deferred imports inside functions count, as they do for grimp.
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

import grimp
import pytest

from sphinxcontrib_llmdocs.extract import ProjectFacts, extract_project

EXAMPLE_SRC = Path(__file__).parent.parent / "example_project" / "src"


def _installed(name: str) -> Path:
    spec = find_spec(name)
    assert spec is not None and spec.submodule_search_locations, f"{name} must be installed (test extra)"
    return Path(next(iter(spec.submodule_search_locations)))


def _ours(facts: ProjectFacts, *, without_type_only: bool) -> dict[str, set[str]]:
    graph = {}
    for module in facts.modules:
        deps = set(module.internal_imports)
        if without_type_only:
            deps -= set(module.type_only_imports)
        graph[module.name] = deps
    return graph


def _grimp(packages: tuple[str, ...], *, without_type_only: bool) -> dict[str, set[str]]:
    graph = grimp.build_graph(
        *packages,
        include_external_packages=False,
        exclude_type_checking_imports=without_type_only,
        cache_dir=None,
    )
    return {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}


CASES = {
    "example_project": (("recipebox",), set()),
    "attrs": (("attr", "attrs"), {"attr._typing_compat"}),
    "idna": (("idna",), set()),
}


@pytest.fixture
def on_path(monkeypatch):
    monkeypatch.syspath_prepend(str(EXAMPLE_SRC))  # grimp locates packages through sys.path


@pytest.mark.parametrize("without_type_only", [False, True], ids=["all-imports", "run-time-imports"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_module_import_graph_equals_grimps(case, without_type_only, on_path):
    packages, stub_only = CASES[case]
    roots = [EXAMPLE_SRC / "recipebox"] if case == "example_project" else [_installed(p) for p in packages]
    facts = extract_project(roots)
    ours = _ours(facts, without_type_only=without_type_only)
    theirs = _grimp(packages, without_type_only=without_type_only)

    assert set(ours) - set(theirs) == stub_only
    assert set(theirs) <= set(ours)
    for name in stub_only:
        module = facts.module(name)
        assert module.path.endswith(".pyi")
        assert all(i.type_only for i in module.imports)
        del ours[name]
    assert sum(len(d) for d in theirs.values()) > 5  # a graph worth comparing
    mismatched = {m: (ours[m] - theirs[m], theirs[m] - ours[m]) for m in theirs if ours[m] != theirs[m]}
    assert mismatched == {}


def test_type_only_imports_are_the_difference_between_grimps_two_graphs(on_path):
    facts = extract_project([EXAMPLE_SRC / "recipebox"])
    everything = _grimp(("recipebox",), without_type_only=False)
    run_time = _grimp(("recipebox",), without_type_only=True)
    grimp_type_only = {m: everything[m] - run_time[m] for m in everything if everything[m] - run_time[m]}
    ours = {m.name: set(m.type_only_imports) for m in facts.modules if m.type_only_imports}
    assert ours == grimp_type_only
    assert ours == {"recipebox.io.base": {"recipebox.planning.planner"}}


def test_deferred_imports_inside_functions_count_as_for_grimp():
    facts = extract_project([_installed("idna")])
    core = facts.module("idna.core")
    deferred = [i for i in core.imports if i.deferred and i.internal]
    assert [i.internal for i in deferred] == ["idna.uts46data"]
    assert "idna.uts46data" in core.internal_imports
