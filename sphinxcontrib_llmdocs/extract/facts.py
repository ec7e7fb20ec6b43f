"""The facts extraction produces: plain frozen records, JSON-serialisable through :func:`to_jsonable`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "Diagnostic",
    "ImportFacts",
    "ModuleFacts",
    "ProjectFacts",
    "SymbolFacts",
    "SymbolKind",
    "to_jsonable",
]

#: ``class``, ``function``, ``async function``, ``method`` (async methods too: see ``is_async``),
#: ``property`` and ``constant`` (an upper-case module name, or any module assignment named in ``__all__``)
#: keep the meaning they always had. ``classmethod`` and ``staticmethod`` are methods so decorated;
#: ``variable`` is any other module-level assignment; ``class attribute`` an assignment or annotation in
#: a class body (dataclass fields, enum members); ``type alias`` a PEP 695 ``type`` statement or an
#: assignment annotated ``TypeAlias``.
SymbolKind = Literal[
    "class",
    "function",
    "async function",
    "method",
    "property",
    "constant",
    "classmethod",
    "staticmethod",
    "variable",
    "class attribute",
    "type alias",
]

#: ``public``; ``private`` (leading underscore, or inside a private class); ``special`` (``__dunder__``);
#: ``unexported`` (no underscore, but the module's ``__all__`` leaves it out).
Visibility = Literal["public", "private", "special", "unexported"]

#: What a class is, where the code shows it: a decorator or a base resolved to the standard library
#: (or attrs), or an internal base class of that nature.
Nature = Literal["dataclass", "enum", "protocol", "namedtuple", "typeddict", "exception"]


@dataclass(frozen=True)
class Diagnostic:
    """A problem found in the source, located at ``path:line``.

    :param left_out: the module (or folder) could not be used and is missing from the facts; ``False``
        for a warning about a module that is still documented.
    """

    path: str
    line: int
    message: str
    left_out: bool = True

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class ImportFacts:
    """One imported module, as written and as resolved.

    :param target: the dotted module the statement imports from (relative imports resolved).
    :param internal: the documented module it resolves to, or ``None`` for an external import.
    """

    target: str
    names: tuple[str, ...]
    line: int
    internal: str | None = None
    type_only: bool = False
    #: inside a function or method body: runs when that code runs, not when the module is imported.
    deferred: bool = False


@dataclass(frozen=True)
class SymbolFacts:
    """A class, function, method, property, variable or constant.

    The relation fields hold qualified names of documented symbols (or modules, for ``references``),
    sorted: ``calls`` what its code calls, ``references`` what else it names (annotations, base classes,
    decorators, values passed around) without calling it, ``called_by``/``referenced_by`` the reverse,
    ``derived`` the documented classes that name this one as a base.
    :param resolved_bases: ``bases`` resolved to dotted names: documented qualnames where the code
        allows, standard-library or third-party names (``enum.Enum``) as imported otherwise.
    :param overloads: signatures of the ``@typing.overload`` variants that precede the implementation.
    :param is_overload: an overload variant with no implementation (typical of ``.pyi`` stubs).
    :param value: the assigned expression of a variable or constant, cut to 80 characters.
    :param dynamic: what the code does that static analysis cannot follow (``getattr(...)`` with a
        computed name, ``importlib.import_module``, ``__import__``, ``exec``/``eval``), each with its line.
    :param from_stub: the signature was taken from a ``.pyi`` stub next to the module.
    """

    qualname: str
    name: str
    kind: SymbolKind
    line: int
    end_line: int
    signature: str = ""
    docstring: str | None = None
    decorators: tuple[str, ...] = ()
    bases: tuple[str, ...] = ()
    members: tuple[SymbolFacts, ...] = ()
    visibility: Visibility = "public"
    is_async: bool = False
    is_overload: bool = False
    overloads: tuple[str, ...] = ()
    nature: Nature | None = None
    value: str | None = None
    resolved_bases: tuple[str, ...] = ()
    derived: tuple[str, ...] = ()
    calls: tuple[str, ...] = ()
    called_by: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    referenced_by: tuple[str, ...] = ()
    dynamic: tuple[str, ...] = ()
    from_stub: bool = False

    @property
    def is_public(self) -> bool:
        """Whether the name has no leading underscore (dunder methods count as public)."""
        return not self.name.startswith("_") or (self.name.startswith("__") and self.name.endswith("__"))


@dataclass(frozen=True)
class ModuleFacts:
    """One module or package ``__init__``.

    :param relpath: path from the documented root's parent, with forward slashes; stable across machines.
    """

    name: str
    path: str
    relpath: str
    is_package: bool
    content_hash: str
    line_count: int
    docstring: str | None = None
    all_names: tuple[str, ...] | None = None
    imports: tuple[ImportFacts, ...] = ()
    symbols: tuple[SymbolFacts, ...] = ()
    #: the ``.pyi`` stub read next to this module (signatures), relative like ``relpath``; or the module is
    #: stub-only when ``relpath`` itself ends in ``.pyi``.
    stub_relpath: str | None = None
    #: names this module makes importable from elsewhere (``from .x import y`` in a package ``__init__``,
    #: ``from .x import *``), mapped to the documented qualname they resolve to.
    reexports: tuple[tuple[str, str], ...] = ()
    #: what the module's top-level code does that static analysis cannot follow, each with its line.
    dynamic: tuple[str, ...] = ()

    @property
    def internal_imports(self) -> tuple[str, ...]:
        """Documented modules this module imports, sorted, without itself."""
        return tuple(sorted({i.internal for i in self.imports if i.internal and i.internal != self.name}))

    @property
    def external_imports(self) -> tuple[str, ...]:
        """Modules outside the documented code that this module imports, sorted."""
        return tuple(
            sorted(
                {i.target for i in self.imports if i.internal is None and i.target not in ("", "__future__")}
            )
        )

    @property
    def type_only_imports(self) -> tuple[str, ...]:
        """Documented modules imported only under ``if TYPE_CHECKING:`` (never at run time), sorted."""
        runtime = {i.internal for i in self.imports if i.internal and not i.type_only}
        return tuple(
            sorted(
                {
                    i.internal
                    for i in self.imports
                    if i.internal and i.type_only and i.internal not in runtime and i.internal != self.name
                }
            )
        )

    @property
    def package(self) -> str | None:
        """The dotted name of the package that contains this module, or ``None`` at the top."""
        return self.name.rpartition(".")[0] or None

    def public_symbols(self) -> tuple[SymbolFacts, ...]:
        """Public top-level symbols: in ``__all__`` when it exists, else without a leading underscore.

        Without ``__all__``, lower-case module variables (kind ``variable``: loggers, registries, caches)
        are left out; name them in ``__all__`` to document them.
        """
        if self.all_names is not None:
            wanted = set(self.all_names)
            return tuple(s for s in self.symbols if s.name in wanted)
        return tuple(s for s in self.symbols if s.is_public and s.kind != "variable")

    def walk_symbols(self) -> tuple[SymbolFacts, ...]:
        """Every symbol of the module, members after their class, depth first."""
        out: list[SymbolFacts] = []
        stack = list(reversed(self.symbols))
        while stack:
            symbol = stack.pop()
            out.append(symbol)
            stack.extend(reversed(symbol.members))
        return tuple(out)


@dataclass(frozen=True)
class ProjectFacts:
    """Everything extraction knows about the documented code."""

    modules: tuple[ModuleFacts, ...]
    diagnostics: tuple[Diagnostic, ...] = ()
    #: PEP 420 namespace packages (folders without ``__init__.py``) that hold documented modules.
    namespace_packages: tuple[str, ...] = ()
    #: how many files this run parsed, and how many it took from the content-hash cache unparsed.
    parsed_files: int = 0
    cached_files: int = 0
    _by_name: dict[str, ModuleFacts] = field(default_factory=dict, repr=False, compare=False)
    _importers: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)
    _symbols: dict[str, SymbolFacts] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_name.update({m.name: m for m in self.modules})
        importers: dict[str, list[str]] = {}
        for m in self.modules:
            for dep in m.internal_imports:
                importers.setdefault(dep, []).append(m.name)
        self._importers.update({k: tuple(sorted(v)) for k, v in importers.items()})

    def module(self, name: str) -> ModuleFacts:
        """The module called ``name``; :class:`KeyError` if it is not documented."""
        return self._by_name[name]

    def has_module(self, name: str) -> bool:
        """Whether ``name`` is a documented module."""
        return name in self._by_name

    def imported_by(self, name: str) -> tuple[str, ...]:
        """Documented modules that import ``name``, sorted."""
        return self._importers.get(name, ())

    def symbol(self, qualname: str) -> SymbolFacts:
        """The documented symbol called ``qualname``; :class:`KeyError` if there is none."""
        if not self._symbols:
            self._symbols.update({s.qualname: s for m in self.modules for s in m.walk_symbols()})
        return self._symbols[qualname]


def to_jsonable(value: object) -> object:
    """Turn facts records into JSON-ready builtins (dataclass fields only, private ones dropped)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_jsonable(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if not f.name.startswith("_")
        }
    if isinstance(value, tuple | list):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    return value
