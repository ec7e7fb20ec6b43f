"""Who uses whom among the documented symbols: the edges the prompt graph and the evidence packs follow.

The facts say which names a module imports from which internal module. When extraction also records
``calls``/``called_by`` (and ``referenced_by``) on a symbol, those are used instead: read through
``getattr`` so this module works with facts that have them and facts that do not yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sphinxcontrib_llmdocs.extract.facts import ModuleFacts, ProjectFacts, SymbolFacts

__all__ = ["SymbolIndex", "Usage"]

#: Re-exports followed when resolving ``from pkg import Name`` (``pkg/__init__`` importing it from below).
_REEXPORT_DEPTH = 4


@dataclass(frozen=True)
class Usage:
    """One place that uses a symbol: a caller (qualified name) or an importing module, and where."""

    module: str
    user: str
    location: str


class SymbolIndex:
    """Top-level symbols of the project, by qualified name, with their resolved relations."""

    def __init__(self, facts: ProjectFacts) -> None:
        self.facts = facts
        self.symbols: dict[str, SymbolFacts] = {}
        self.module_of: dict[str, ModuleFacts] = {}
        for module in facts.modules:
            for symbol in module.symbols:
                self.symbols[symbol.qualname] = symbol
                self.module_of[symbol.qualname] = module
        self._users = self._collect_users()

    def has_calls(self, symbol: SymbolFacts) -> bool:
        """Whether extraction recorded the calls of ``symbol`` (an empty record means "calls nothing")."""
        return getattr(symbol, "calls", None) is not None

    def owner(self, qualname: str) -> str | None:
        """The documented top-level symbol that ``qualname`` (a symbol, method, attribute) belongs to."""
        name = qualname
        while name:
            if name in self.symbols:
                return name
            name = name.rpartition(".")[0]
        return None

    def resolve_import(self, module: str, name: str) -> str | None:
        """The top-level symbol that ``from module import name`` reaches, following re-exports."""
        for _ in range(_REEXPORT_DEPTH):
            qualname = f"{module}.{name}"
            if qualname in self.symbols:
                return qualname
            if not self.facts.has_module(module):
                return None
            nxt = next(
                (i.internal for i in self.facts.module(module).imports if i.internal and name in i.names),
                None,
            )
            if nxt is None or nxt == module:
                return None
            module = nxt
        return None

    def imported_symbols(self, module: ModuleFacts) -> tuple[str, ...]:
        """Top-level symbols of other modules that ``module`` imports by name, in import order."""
        found: list[str] = []
        for imp in module.imports:
            if not imp.internal or imp.internal == module.name:
                continue
            for name in imp.names:
                target = self.resolve_import(imp.internal, name)
                if target is not None and self.module_of[target].name != module.name:
                    found.append(target)
        return tuple(dict.fromkeys(found))

    def dependencies(self, symbol: SymbolFacts, module: ModuleFacts) -> tuple[str, ...]:
        """What ``symbol`` uses among the documented top-level symbols, most direct first.

        Its calls (and its members' calls) when extraction records them; otherwise the names its module
        imports from other documented modules, the best the facts can say.
        """
        if self.has_calls(symbol):
            called: list[str] = []
            for item in (symbol, *symbol.members):
                for target in getattr(item, "calls", None) or ():
                    owner = self.owner(str(target))
                    if owner is not None and owner != symbol.qualname:
                        called.append(owner)
            return tuple(dict.fromkeys(called))
        return self.imported_symbols(module)

    def users(self, qualname: str) -> tuple[Usage, ...]:
        """Call sites of ``qualname`` when known, else the modules that import it; sorted, stable."""
        return self._users.get(qualname, ())

    def user_modules(self, qualname: str) -> tuple[str, ...]:
        """Other modules that use ``qualname``, sorted."""
        own = self.module_of[qualname].name
        return tuple(sorted({u.module for u in self.users(qualname)} - {own}))

    def _collect_users(self) -> dict[str, tuple[Usage, ...]]:
        users: dict[str, set[Usage]] = {}
        for module in self.facts.modules:
            for imp in module.imports:
                if not imp.internal:
                    continue
                for name in imp.names:
                    target = self.resolve_import(imp.internal, name)
                    if target is not None:
                        users.setdefault(target, set()).add(
                            Usage(module.name, module.name, f"{module.relpath}:{imp.line}")
                        )
        for qualname, symbol in self.symbols.items():
            callers = list(_relation(symbol, "called_by")) + list(_relation(symbol, "referenced_by"))
            for caller in callers:
                owner = self.owner(caller)
                if owner is None:
                    continue
                module = self.module_of[owner]
                caller_facts = self._find(caller)
                line = caller_facts.line if caller_facts is not None else 0
                users.setdefault(qualname, set()).add(Usage(module.name, caller, f"{module.relpath}:{line}"))
        return {
            key: tuple(sorted(value, key=lambda u: (u.module, u.user, u.location)))
            for key, value in users.items()
        }

    def _find(self, qualname: str) -> SymbolFacts | None:
        owner = self.owner(qualname)
        if owner is None:
            return None
        symbol = self.symbols[owner]
        if owner == qualname:
            return symbol
        return next((m for m in _walk(symbol.members) if m.qualname == qualname), None)


def _relation(symbol: SymbolFacts, name: str) -> Iterable[str]:
    value = getattr(symbol, name, None) or ()
    return (str(v) for v in value)


def _walk(members: Iterable[SymbolFacts]) -> Iterable[SymbolFacts]:
    for member in members:
        yield member
        yield from _walk(member.members)
