"""What extraction knows about one small package built to show every construct (test root
``test-extract-relations``): kinds, signatures, visibility, overloads, natures, and the relations resolved
through re-exports, star imports, aliases, ``self`` and base classes."""

from __future__ import annotations

import pytest
from conftest import ROOTS

from sphinxcontrib_llmdocs.extract import ProjectFacts, extract_project

SRC = ROOTS / "test-extract-relations" / "src"


@pytest.fixture(scope="module")
def facts() -> ProjectFacts:
    return extract_project([SRC])


def test_modules_imports_and_type_only_imports(facts):
    assert [m.name for m in facts.modules] == [
        "zoo",
        "zoo._speedups",
        "zoo.animals",
        "zoo.feeding",
        "zoo.keeping",
        "zoo.registry",
    ]
    assert facts.diagnostics == ()
    zoo = facts.module("zoo")
    # `from . import feeding` reaches the module; `import zoo.registry as reg` too.
    assert zoo.internal_imports == ("zoo.animals", "zoo.feeding", "zoo.keeping", "zoo.registry")
    animals = facts.module("zoo.animals")
    assert animals.internal_imports == ("zoo.keeping",)
    assert animals.type_only_imports == ("zoo.keeping",)
    assert facts.imported_by("zoo.animals") == ("zoo", "zoo._speedups", "zoo.feeding", "zoo.keeping")
    feeding = facts.module("zoo.feeding")
    (deferred,) = [i for i in feeding.imports if i.deferred]
    assert (deferred.internal, deferred.line) == ("zoo.animals", 7)


def test_reexports_follow_package_init_and_star_imports(facts):
    assert dict(facts.module("zoo").reexports) == {
        "Animal": "zoo.animals.Animal",
        "Cat": "zoo.animals.Cat",
        "Keeper": "zoo.keeping.Keeper",  # through `from .keeping import *` and keeping.__all__
    }


def test_kinds_signatures_and_members(facts):
    symbol = facts.symbol
    kinds = {m.name: m.kind for m in symbol("zoo.animals.Animal").members}
    assert kinds == {
        "name": "class attribute",
        "diet": "class attribute",
        "tags": "class attribute",
        "describe": "method",
        "sound": "method",
        "wild": "classmethod",
        "kinds": "staticmethod",
        "label": "property",
        "Meta": "class",
        "keeper": "method",
    }
    assert symbol("zoo.animals.Animal.wild").signature == (
        "(cls, name: str, /, *args: str, loud: bool = False, **extra: object) -> Animal"
    )
    assert symbol("zoo.animals.Animal.diet").signature == ": Diet"
    assert symbol("zoo.animals.Animal.diet").value == "Diet.PLANTS"
    escape = symbol("zoo.animals.Cat.escape")
    assert (escape.kind, escape.is_async) == ("method", True)
    assert symbol("zoo.animals.Animal.Meta.verbose").kind == "class attribute"
    animal = symbol("zoo.animals.Animal")
    assert (animal.line, animal.end_line, animal.docstring) == (36, 65, "An animal.")
    assert animal.decorators == ("dataclass(frozen=True)",)


def test_module_variables_constants_and_visibility(facts):
    animals = facts.module("zoo.animals")
    by_name = {s.name: s for s in animals.symbols}
    assert (by_name["MAX_ANIMALS"].kind, by_name["MAX_ANIMALS"].signature) == ("constant", ": int")
    assert by_name["MAX_ANIMALS"].value == "100"
    assert (by_name["default_name"].kind, by_name["default_name"].visibility) == ("variable", "public")
    assert (by_name["_registry_size"].kind, by_name["_registry_size"].visibility) == ("variable", "private")
    # Lower-case module variables are not documented unless __all__ names them.
    assert "default_name" not in {s.name for s in animals.public_symbols()}
    keeping = {s.name: s for s in facts.module("zoo.keeping").symbols}
    assert keeping["Keeper"].visibility == "public"
    assert keeping["helper"].visibility == "unexported"  # keeping.__all__ leaves it out
    assert facts.symbol("zoo.keeping.Keeper.__init__").visibility == "special"


def test_overload_group_is_one_symbol_with_its_variants(facts):
    loudest = [s for s in facts.module("zoo.animals").symbols if s.name == "loudest"]
    assert len(loudest) == 1
    (symbol,) = loudest
    assert symbol.signature == "(a)"
    assert symbol.overloads == ("(a: Cat) -> Cat", "(a: Animal) -> Animal")
    assert symbol.is_overload is False


def test_natures(facts):
    natures = {s.name: s.nature for s in facts.module("zoo.animals").symbols if s.kind == "class"}
    assert natures == {
        "Diet": "enum",
        "Noisy": "protocol",
        "Position": "namedtuple",
        "Record": "typeddict",
        "EscapeError": "exception",
        "Animal": "dataclass",
        "Cat": None,  # a subclass of a dataclass is not one unless decorated
    }


def test_bases_and_derived(facts):
    cat = facts.symbol("zoo.animals.Cat")
    assert (cat.bases, cat.resolved_bases) == (("Animal",), ("zoo.animals.Animal",))
    assert facts.symbol("zoo.animals.Animal").derived == ("zoo.animals.Cat",)
    assert facts.symbol("zoo.animals.Diet").resolved_bases == ("enum.Enum",)
    assert facts.symbol("zoo.animals.EscapeError").resolved_bases == ("RuntimeError",)


def test_calls_and_called_by_through_aliases_reexports_and_self(facts):
    symbol = facts.symbol
    # A star import, `from . import x` and `import a.b as c`, all resolved to the definitions.
    assert symbol("zoo.open_zoo").calls == (
        "zoo.feeding.feed_all",
        "zoo.keeping.Keeper",
        "zoo.registry.register",
    )
    # `self.sound()` inside the class; `self.describe()` found on the base class.
    assert symbol("zoo.animals.Animal.describe").calls == ("zoo.animals.Animal.sound",)
    assert symbol("zoo.animals.Cat.escape").calls == (
        "zoo.animals.Animal.describe",
        "zoo.animals.EscapeError",
    )
    assert symbol("zoo.animals.Animal.describe").called_by == ("zoo.animals.Cat.escape",)
    # `animals.loudest(...)` through a module imported by `from zoo import animals`.
    assert symbol("zoo.keeping.Keeper.adopt").calls == ("zoo.animals.loudest",)
    assert symbol("zoo.animals.loudest").called_by == ("zoo.keeping.Keeper.adopt",)
    assert symbol("zoo.keeping.Keeper").called_by == (
        "zoo.feeding.first_day",
        "zoo.feeding.second_day",
        "zoo.open_zoo",
    )


def test_a_parameter_annotated_with_a_class_resolves_its_method_calls(facts):
    assert facts.symbol("zoo.feeding.hand_over").calls == ("zoo.keeping.Keeper.adopt",)


def test_a_local_assigned_once_from_a_class_call_resolves_its_method_calls(facts):
    assert facts.symbol("zoo.feeding.first_day").calls == ("zoo.keeping.Keeper", "zoo.keeping.Keeper.adopt")
    assert facts.symbol("zoo.feeding.second_day").calls == ("zoo.keeping.Keeper",)


def test_references_and_referenced_by(facts):
    symbol = facts.symbol
    # Annotations (even under TYPE_CHECKING), isinstance arguments, deferred imports, except clauses.
    assert symbol("zoo.animals.Animal.keeper").references == ("zoo.keeping.Keeper",)
    assert symbol("zoo.feeding.feed_all").references == ("zoo.animals.Cat", "zoo.keeping.Keeper")
    assert symbol("zoo.keeping.helper").references == ("zoo.animals.EscapeError",)
    assert symbol("zoo.animals.Animal.diet").references == ("zoo.animals.Diet", "zoo.animals.Diet.PLANTS")
    assert "zoo.feeding.feed_all" in symbol("zoo.animals.Cat").referenced_by
    assert "zoo.animals.Cat" in symbol("zoo.animals.Animal").referenced_by  # the base class list


def test_what_static_analysis_cannot_follow_is_recorded(facts):
    assert facts.symbol("zoo.keeping.Keeper.plugin").dynamic == (
        "importlib.import_module() (runtime import) at line 21",
    )
    assert facts.symbol("zoo.keeping.Keeper.poke").dynamic == (
        "getattr() with a computed attribute name at line 24",
    )
    assert facts.symbol("zoo.keeping.Keeper.plugin").calls == ()
    # Top-level code and PEP 562 module attributes are recorded on the module.
    assert facts.module("zoo.keeping").dynamic == (
        "zoo.keeping.Keeper.plugin: importlib.import_module() (runtime import) at line 21",
        "zoo.keeping.Keeper.poke: getattr() with a computed attribute name at line 24",
        "zoo.keeping: importlib.import_module() (runtime import) at line 35",
    )
    assert facts.module("zoo.registry").dynamic == (
        "zoo.registry: module __getattr__: some attributes exist only at run time",
    )


def test_stub_next_to_a_module_gives_the_signature(facts):
    registry = facts.module("zoo.registry")
    assert registry.stub_relpath == "zoo/registry.pyi"
    assert registry.path.endswith("registry.py")
    register = facts.symbol("zoo.registry.register")
    assert register.signature == "(name: str, kind: type | None = ...) -> tuple[str, type | None]"
    assert register.from_stub is True
    assert (register.docstring, register.line) == ("Register a name.", 4)  # from the .py


def test_stub_only_module_is_documented_with_type_only_imports(facts):
    speedups = facts.module("zoo._speedups")
    assert speedups.path.endswith("_speedups.pyi")
    assert speedups.internal_imports == ("zoo.animals",)
    assert speedups.type_only_imports == ("zoo.animals",)
    assert facts.symbol("zoo._speedups.fast_sound").signature == "(animal: Animal) -> str"
