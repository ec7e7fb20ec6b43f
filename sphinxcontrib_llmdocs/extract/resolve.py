"""Resolve raw imports against the set of documented modules."""

from __future__ import annotations

from collections.abc import Iterator, Set

from sphinxcontrib_llmdocs.extract.facts import ImportFacts
from sphinxcontrib_llmdocs.extract.parser import RawImport

__all__ = ["resolve_imports"]


def resolve_imports(raw: tuple[RawImport, ...], known: Set[str]) -> tuple[ImportFacts, ...]:
    """Map each import to the documented module it reaches, or mark it external.

    ``from pkg import sub`` where ``pkg.sub`` is a module imports that module; ``import a.b.c`` where only
    ``a.b`` is documented reaches ``a.b``.
    """
    return tuple(fact for item in raw for fact in _resolve_one(item, known))


def _resolve_one(item: RawImport, known: Set[str]) -> Iterator[ImportFacts]:
    if item.is_from:
        submodules = [n for n in item.names if f"{item.target}.{n}" in known]
        for name in submodules:
            yield ImportFacts(
                f"{item.target}.{name}",
                (name,),
                item.line,
                f"{item.target}.{name}",
                item.type_only,
                item.deferred,
            )
        rest = tuple(n for n in item.names if n not in submodules)
        if rest or not submodules:
            yield ImportFacts(
                item.target,
                rest,
                item.line,
                _longest_known(item.target, known),
                item.type_only,
                item.deferred,
            )
        return
    yield ImportFacts(
        item.target, (), item.line, _longest_known(item.target, known), item.type_only, item.deferred
    )


def _longest_known(target: str, known: Set[str]) -> str | None:
    parts = target.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in known:
            return candidate
    return None
