"""Cross-link parsed modules: what each name refers to, who calls, names, subclasses whom.

Resolution is static and follows the code as written: module bindings (imports and definitions),
re-exports (``from .recipe import Recipe`` in a package ``__init__``), star imports (through ``__all__``,
or every public name), attribute chains into submodules and class members, ``self.x``/``cls.x`` through
the class and its documented bases. It does not infer types beyond that: ``obj.method()`` on a local
variable or a parameter stays unresolved, and so does anything reached through ``getattr`` with a
computed name or a runtime import (those are listed in the symbol's ``dynamic`` field).
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping

from sphinxcontrib_llmdocs.extract.facts import Nature, SymbolFacts
from sphinxcontrib_llmdocs.extract.parser import ParsedModule

__all__ = ["Linker"]

_DATACLASS_DECORATORS = {
    "dataclasses.dataclass",
    "attr.s",
    "attr.attrs",
    "attr.define",
    "attr.frozen",
    "attr.mutable",
    "attr.dataclass",
    "attrs.define",
    "attrs.frozen",
    "attrs.mutable",
}
_ENUM_BASES = {
    "enum.Enum",
    "enum.IntEnum",
    "enum.StrEnum",
    "enum.Flag",
    "enum.IntFlag",
    "enum.ReprEnum",
}
_PROTOCOL_BASES = {"typing.Protocol", "typing_extensions.Protocol"}
_NAMEDTUPLE_BASES = {"typing.NamedTuple", "typing_extensions.NamedTuple"}
_TYPEDDICT_BASES = {"typing.TypedDict", "typing_extensions.TypedDict"}
_EXCEPTION_BASES = {
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
}
# A subclass of these is of the same nature.
_INHERITED: frozenset[str] = frozenset({"enum", "exception", "typeddict", "namedtuple"})


def _set(symbol: SymbolFacts, values: dict[str, object]) -> None:
    # Facts are frozen for their readers; linking fills the relation fields once, before anyone reads.
    symbol.__dict__.update(values)


class Linker:
    """Resolve names across ``modules`` and fill the relation fields of their symbols in place."""

    def __init__(self, modules: Mapping[str, ParsedModule]) -> None:
        self.modules = modules
        self.symbols: dict[str, SymbolFacts] = {}
        self.members: dict[str, dict[str, SymbolFacts]] = {}
        self.owner: dict[str, str] = {}  # symbol qualname -> module name
        for name, parsed in modules.items():
            stack = list(parsed.symbols)
            while stack:
                symbol = stack.pop()
                self.symbols[symbol.qualname] = symbol
                self.owner[symbol.qualname] = name
                if symbol.members:
                    self.members[symbol.qualname] = {m.name: m for m in symbol.members}
                    stack.extend(symbol.members)
        self._top: dict[str, dict[str, SymbolFacts]] = {
            name: {s.name: s for s in parsed.symbols} for name, parsed in modules.items()
        }
        self._resolved: dict[str, str | None] = {}
        self._chains: dict[str, tuple[str | None, bool]] = {}
        self._bases: dict[str, tuple[str, ...]] = {}
        self._nature: dict[str, Nature | None] = {}

    # -- name resolution --------------------------------------------------------------------------

    def export(self, module: str, name: str, seen: frozenset[tuple[str, str]] = frozenset()) -> str | None:
        """What ``module.name`` is: a documented symbol's qualname, a documented module, or ``None``."""
        key = (module, name)
        if key in seen:
            return None  # a re-export cycle
        seen = seen | {key}
        top = self._top.get(module)
        if top is None:
            return None
        submodule = f"{module}.{name}"
        parsed = self.modules[module]
        binding = parsed.bindings.get(name)
        if name in top and (binding is None or binding == top[name].qualname):
            return top[name].qualname
        if binding is not None and binding != f"{module}.{name}":
            return self.resolve(binding, seen)
        if name in top:
            return top[name].qualname
        if submodule in self.modules:
            return submodule
        for star in parsed.star_imports:
            if star in self.modules and self._star_exports(star, name):
                found = self.export(star, name, seen)
                if found is not None:
                    return found
        return None

    def _star_exports(self, module: str, name: str) -> bool:
        all_names = self.modules[module].all_names
        if all_names is not None:
            return name in all_names
        return not name.startswith("_")

    def resolve(self, dotted: str, seen: frozenset[tuple[str, str]] = frozenset()) -> str | None:
        """The documented module or symbol ``dotted`` leads to; partial chains stop at the last symbol."""
        if not seen and dotted in self._resolved:
            return self._resolved[dotted]
        found = self._resolve(dotted, seen)[0]
        if not seen:
            self._resolved[dotted] = found
        return found

    def _resolve(self, dotted: str, seen: frozenset[tuple[str, str]]) -> tuple[str | None, bool]:
        """(target, whole chain consumed)."""
        if dotted.startswith("*."):
            return None, False
        parts = dotted.split(".")
        end = len(parts)
        while end and ".".join(parts[:end]) not in self.modules:
            end -= 1
        if not end:
            return None, False
        current = ".".join(parts[:end])
        is_module = True
        for i in range(end, len(parts)):
            name = parts[i]
            if is_module:
                step = self.export(current, name, seen)
                if step is None:
                    return (None if is_module else current), False
                current = step
                is_module = step in self.modules
            else:
                member = self.member(current, name)
                if member is None:
                    return current, False
                current = member
        return current, True

    def member(self, qualname: str, name: str, depth: int = 0) -> str | None:
        """``name`` in class ``qualname`` or, failing that, in its documented bases (depth first)."""
        members = self.members.get(qualname)
        if members is not None and name in members:
            return members[name].qualname
        if depth > 20:
            return None
        for base in self.bases(qualname):
            if base in self.symbols:
                found = self.member(base, name, depth + 1)
                if found is not None:
                    return found
        return None

    def bases(self, qualname: str) -> tuple[str, ...]:
        """A class's bases resolved: documented qualnames, else dotted names as imported or written."""
        if qualname in self._bases:
            return self._bases[qualname]
        self._bases[qualname] = ()  # guards against a class that (indirectly) names itself as a base
        module = self.owner.get(qualname)
        raw = self.modules[module].class_bases.get(qualname, ()) if module else ()
        out: list[str] = []
        for dotted in raw:
            star = dotted.startswith("*.")
            found = self._star_resolve(module, dotted[2:]) if star and module else self.resolve(dotted)
            out.append(found if found is not None else (dotted[2:] if star else dotted))
        self._bases[qualname] = tuple(out)
        return self._bases[qualname]

    def _star_resolve(self, module: str, chain: str) -> str | None:
        root, dot, rest = chain.partition(".")
        for star in self.modules[module].star_imports:
            if star in self.modules and self._star_exports(star, root):
                found = self.export(star, root)
                if found is not None:
                    return self.resolve(f"{found}{dot}{rest}") if rest else found
        return None

    def nature(self, qualname: str) -> Nature | None:
        """dataclass, enum, protocol, namedtuple, typeddict or exception, where the code shows it."""
        if qualname in self._nature:
            return self._nature[qualname]
        self._nature[qualname] = None
        module = self.owner[qualname]
        decorators = self.modules[module].class_decorators.get(qualname, ())
        found: Nature | None = None
        if any(d in _DATACLASS_DECORATORS for d in decorators):
            found = "dataclass"
        else:
            for base in self.bases(qualname):
                if base in _ENUM_BASES:
                    found = "enum"
                elif base in _PROTOCOL_BASES:
                    found = "protocol"
                elif base in _NAMEDTUPLE_BASES:
                    found = "namedtuple"
                elif base in _TYPEDDICT_BASES:
                    found = "typeddict"
                elif base in _EXCEPTION_BASES:
                    found = "exception"
                elif base in self.symbols:
                    inherited = self.nature(base)
                    found = inherited if inherited in _INHERITED else None
                if found is not None:
                    break
        self._nature[qualname] = found
        return found

    # -- linking ----------------------------------------------------------------------------------

    def link(self) -> None:
        """Fill ``resolved_bases``, ``derived``, ``nature``, ``calls``/``called_by`` and
        ``references``/``referenced_by`` of every symbol."""
        calls: dict[str, set[str]] = {}
        references: dict[str, set[str]] = {}
        called_by: dict[str, set[str]] = {}
        referenced_by: dict[str, set[str]] = {}
        derived: dict[str, set[str]] = {}
        chains = self._chains
        for module, parsed in self.modules.items():
            for qualname, uses in parsed.uses.items():
                if qualname not in self.symbols:
                    continue
                enclosing = qualname.rpartition(".")[0]
                mine_calls = calls.setdefault(qualname, set())
                mine_refs = references.setdefault(qualname, set())
                for dotted, called in uses:
                    if dotted.startswith("*."):
                        target, whole = self._star_resolve(module, dotted[2:]), True
                    else:
                        known = chains.get(dotted)
                        if known is None:
                            known = chains[dotted] = self._resolve(dotted, frozenset())
                        target, whole = known
                    if target is None or target in (qualname, enclosing, module):
                        continue
                    if called and whole and target in self.symbols:
                        mine_calls.add(target)
                        called_by.setdefault(target, set()).add(qualname)
                    else:
                        mine_refs.add(target)
                        if target in self.symbols:
                            referenced_by.setdefault(target, set()).add(qualname)
        for qualname, symbol in self.symbols.items():
            if symbol.kind != "class":
                continue
            resolved = self.bases(qualname)
            for base in resolved:
                if base in self.symbols:
                    derived.setdefault(base, set()).add(qualname)
        empty: set[str] = set()
        for qualname, symbol in self.symbols.items():
            values: dict[str, object] = {}
            mine_calls = calls.get(qualname, empty)
            if mine_calls:
                values["calls"] = tuple(sorted(mine_calls))
            mine_refs = references.get(qualname, empty) - mine_calls
            if mine_refs:
                values["references"] = tuple(sorted(mine_refs))
            callers = called_by.get(qualname, empty)
            if callers:
                values["called_by"] = tuple(sorted(callers))
            readers = referenced_by.get(qualname, empty) - callers
            if readers:
                values["referenced_by"] = tuple(sorted(readers))
            if symbol.kind == "class":
                values["derived"] = tuple(sorted(derived.get(qualname, ())))
                values["resolved_bases"] = self.bases(qualname)
                values["nature"] = self.nature(qualname)
            if values:
                _set(symbol, values)

    def reexports(self, module: str) -> tuple[tuple[str, str], ...]:
        """Names ``module`` binds by import that resolve to documented symbols defined elsewhere."""
        parsed = self.modules[module]
        out: dict[str, str] = {}
        own = self._top[module]
        exported = set(parsed.all_names or ())
        for name, dotted in parsed.bindings.items():
            if name in own and own[name].qualname == dotted:
                continue
            if not parsed.source.is_package and name not in exported:
                continue  # an ordinary import, not an offer to importers
            target = self.resolve(dotted)
            if target is not None and target in self.symbols and self.owner[target] != module:
                out[name] = target
        if parsed.star_imports and parsed.all_names:
            for name in parsed.all_names:
                if name not in out and name not in own:
                    found = self.export(module, name)
                    if found is not None and found in self.symbols:
                        out[name] = found
        return tuple(sorted(out.items()))
