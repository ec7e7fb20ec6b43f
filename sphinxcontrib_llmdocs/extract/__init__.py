"""Static analysis: source files in, :class:`ProjectFacts` out. Nothing of the user's code is imported."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from pathlib import Path

from sphinxcontrib_llmdocs.extract.cache import ParseCache
from sphinxcontrib_llmdocs.extract.discovery import SourceFile, discover, discover_sources
from sphinxcontrib_llmdocs.extract.facts import (
    Diagnostic,
    ImportFacts,
    ModuleFacts,
    ProjectFacts,
    SymbolFacts,
    to_jsonable,
)
from sphinxcontrib_llmdocs.extract.link import Linker
from sphinxcontrib_llmdocs.extract.parser import ParsedModule, content_hash, parse_source, read_source
from sphinxcontrib_llmdocs.extract.resolve import resolve_imports

__all__ = [
    "Diagnostic",
    "ImportFacts",
    "ModuleFacts",
    "ProjectFacts",
    "SourceFile",
    "SymbolFacts",
    "discover_sources",
    "extract_project",
    "facts_summary_json",
    "to_jsonable",
]


def extract_project(
    roots: Sequence[Path], exclude: Sequence[str] = (), cache_dir: Path | None = None
) -> ProjectFacts:
    """Discover, parse and cross-link every module under ``roots``.

    A file that cannot be parsed is left out of the modules and reported as a diagnostic.

    :param cache_dir: folder for parsed modules keyed by content hash; a second run with it parses only
        changed files. ``None`` parses everything.
    """
    # The parser allocates millions of short-lived, acyclic objects; the cyclic collector's passes over
    # them cost more than a third of the run and free nothing. Collection resumes afterwards.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _extract(roots, exclude, cache_dir)
    finally:
        if enabled:
            gc.enable()


def _extract(roots: Sequence[Path], exclude: Sequence[str], cache_dir: Path | None) -> ProjectFacts:
    found = discover(roots, exclude)
    diagnostics: list[Diagnostic] = list(found.diagnostics)
    cache = ParseCache(cache_dir)
    parsed: dict[str, ParsedModule] = {}
    stubs: dict[str, ParsedModule] = {}
    counts = [0, 0]  # parsed, from the cache
    for source in found.sources:
        result = _parse_cached(source, cache, counts)
        if isinstance(result, Diagnostic):
            diagnostics.append(result)
            continue
        parsed[source.name] = result
        diagnostics.extend(result.diagnostics)
        if source.stub is not None and source.stub_relpath is not None:
            stub_source = SourceFile(source.name, source.stub, source.stub_relpath, source.is_package)
            stub = _parse_cached(stub_source, cache, counts)
            if isinstance(stub, Diagnostic):
                diagnostics.append(stub)
            else:
                stubs[source.name] = stub
                diagnostics.extend(stub.diagnostics)
    cache.save()  # before linking: linking fills relation fields of these very records

    for name, stub in stubs.items():
        _merge_stub(parsed[name], stub)
    linker = Linker(parsed)
    linker.link()
    known = set(parsed)
    modules = []
    for name in sorted(parsed):
        p = parsed[name]
        raw = p.imports
        if p.source.is_stub:
            # A stub's imports only type its names: nothing of them runs.
            raw = tuple(r.__class__(r.target, r.names, r.line, r.is_from, True, r.deferred) for r in raw)
        dynamic_by_symbol: dict[str, list[str]] = {}
        for qualname, note in p.dynamic:
            dynamic_by_symbol.setdefault(qualname, []).append(note)
        for qualname, notes in dynamic_by_symbol.items():
            if qualname in linker.symbols:
                object.__setattr__(linker.symbols[qualname], "dynamic", tuple(notes))
        modules.append(
            ModuleFacts(
                name=name,
                path=str(p.source.path),
                relpath=p.source.relpath,
                is_package=p.source.is_package,
                content_hash=p.content_hash,
                line_count=p.line_count,
                docstring=p.docstring if p.docstring is not None else _stub_doc(stubs.get(name)),
                all_names=p.all_names,
                imports=resolve_imports(raw, known),
                symbols=p.symbols,
                stub_relpath=p.source.stub_relpath,
                reexports=linker.reexports(name),
                dynamic=tuple(f"{q}: {n}" for q, n in p.dynamic),
            )
        )
    return ProjectFacts(
        modules=tuple(modules),
        diagnostics=tuple(diagnostics),
        namespace_packages=tuple(found.namespace_packages),
        parsed_files=counts[0],
        cached_files=counts[1],
    )


def _parse_cached(source: SourceFile, cache: ParseCache, counts: list[int]) -> ParsedModule | Diagnostic:
    data = read_source(source)
    if isinstance(data, Diagnostic):
        return data
    key = cache.key(source, content_hash(data))
    hit = cache.get(key, source)
    if hit is not None:
        counts[1] += 1
        return hit
    counts[0] += 1
    result = parse_source(source, data)
    cache.put(key, result)
    return result


def _stub_doc(stub: ParsedModule | None) -> str | None:
    return stub.docstring if stub is not None else None


def _merge_stub(module: ParsedModule, stub: ParsedModule) -> None:
    """The stub wins for signatures and overload variants, the ``.py`` for everything else."""
    by_name = {s.qualname: s for s in _walk(stub.symbols)}
    for symbol in _walk(module.symbols):
        typed = by_name.get(symbol.qualname)
        if typed is None or typed.kind != symbol.kind:
            continue
        if symbol.kind == "class":
            if symbol.docstring is None and typed.docstring:
                object.__setattr__(symbol, "docstring", typed.docstring)
            continue
        if typed.signature:
            object.__setattr__(symbol, "signature", typed.signature)
            object.__setattr__(symbol, "overloads", typed.overloads)
            object.__setattr__(symbol, "from_stub", True)
        if symbol.docstring is None and typed.docstring:
            object.__setattr__(symbol, "docstring", typed.docstring)


def _walk(symbols: Sequence[SymbolFacts]) -> Iterator[SymbolFacts]:
    stack = list(symbols)
    while stack:
        symbol = stack.pop()
        yield symbol
        stack.extend(symbol.members)


def facts_summary_json(facts: ProjectFacts) -> dict[str, object]:
    """The ``facts --json`` document: modules with their imports and symbols, and the diagnostics.

    Keys of the first version (``name``, ``path``, ``is_package``, ``imports``, ``external_imports``,
    ``symbols`` with ``qualname``/``kind``/``line``) keep their meaning; the rest were added after.
    """
    return {
        "modules": [
            {
                "name": m.name,
                "path": m.path,
                "is_package": m.is_package,
                "imports": list(m.internal_imports),
                "external_imports": list(m.external_imports),
                "type_only_imports": list(m.type_only_imports),
                "imported_by": list(facts.imported_by(m.name)),
                "all": list(m.all_names) if m.all_names is not None else None,
                "reexports": dict(m.reexports),
                "stub": m.stub_relpath,
                "symbols": [_symbol_json(s) for s in m.walk_symbols()],
            }
            for m in facts.modules
        ],
        "namespace_packages": list(facts.namespace_packages),
        "diagnostics": [{"path": d.path, "line": d.line, "message": d.message} for d in facts.diagnostics],
    }


def _symbol_json(s: SymbolFacts) -> dict[str, object]:
    return {
        "qualname": s.qualname,
        "kind": s.kind,
        "line": s.line,
        "end_line": s.end_line,
        "signature": s.signature,
        "docstring": s.docstring,
        "decorators": list(s.decorators),
        "visibility": s.visibility,
        "nature": s.nature,
        "overloads": list(s.overloads),
        "bases": list(s.bases),
        "resolved_bases": list(s.resolved_bases),
        "derived": list(s.derived),
        "calls": list(s.calls),
        "called_by": list(s.called_by),
        "references": list(s.references),
        "referenced_by": list(s.referenced_by),
        "dynamic": list(s.dynamic),
    }
