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

SymbolKind = Literal["class", "function", "async function", "method", "property", "constant"]


@dataclass(frozen=True)
class Diagnostic:
    """A problem found in the source, located at ``path:line``."""

    path: str
    line: int
    message: str

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


@dataclass(frozen=True)
class SymbolFacts:
    """A class, function, method, property or constant."""

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
    def package(self) -> str | None:
        """The dotted name of the package that contains this module, or ``None`` at the top."""
        return self.name.rpartition(".")[0] or None

    def public_symbols(self) -> tuple[SymbolFacts, ...]:
        """Public top-level symbols: in ``__all__`` when it exists, else without a leading underscore."""
        if self.all_names is not None:
            wanted = set(self.all_names)
            return tuple(s for s in self.symbols if s.name in wanted)
        return tuple(s for s in self.symbols if s.is_public)


@dataclass(frozen=True)
class ProjectFacts:
    """Everything extraction knows about the documented code."""

    modules: tuple[ModuleFacts, ...]
    diagnostics: tuple[Diagnostic, ...] = ()
    _by_name: dict[str, ModuleFacts] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_name.update({m.name: m for m in self.modules})

    def module(self, name: str) -> ModuleFacts:
        """The module called ``name``; :class:`KeyError` if it is not documented."""
        return self._by_name[name]

    def has_module(self, name: str) -> bool:
        """Whether ``name`` is a documented module."""
        return name in self._by_name

    def imported_by(self, name: str) -> tuple[str, ...]:
        """Documented modules that import ``name``, sorted."""
        return tuple(sorted(m.name for m in self.modules if name in m.internal_imports))


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
