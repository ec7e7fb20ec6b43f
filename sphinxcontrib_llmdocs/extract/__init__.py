"""Static analysis: source files in, :class:`ProjectFacts` out. Nothing of the user's code is imported."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sphinxcontrib_llmdocs.extract.discovery import SourceFile, discover_sources
from sphinxcontrib_llmdocs.extract.facts import (
    Diagnostic,
    ImportFacts,
    ModuleFacts,
    ProjectFacts,
    SymbolFacts,
    to_jsonable,
)
from sphinxcontrib_llmdocs.extract.parser import ParsedModule, parse_source
from sphinxcontrib_llmdocs.extract.resolve import resolve_imports

__all__ = [
    "Diagnostic",
    "ImportFacts",
    "ModuleFacts",
    "ProjectFacts",
    "SourceFile",
    "SymbolFacts",
    "extract_project",
    "facts_summary_json",
    "to_jsonable",
]


def extract_project(roots: Sequence[Path], exclude: Sequence[str] = ()) -> ProjectFacts:
    """Discover, parse and cross-link every module under ``roots``.

    A file that cannot be parsed is left out of the modules and reported as a diagnostic.
    """
    parsed: list[ParsedModule] = []
    diagnostics: list[Diagnostic] = []
    for source in discover_sources(roots, exclude):
        result = parse_source(source)
        if isinstance(result, Diagnostic):
            diagnostics.append(result)
        else:
            parsed.append(result)
            diagnostics.extend(result.diagnostics)
    known = {p.source.name for p in parsed}
    modules = tuple(
        ModuleFacts(
            name=p.source.name,
            path=str(p.source.path),
            relpath=p.source.relpath,
            is_package=p.source.is_package,
            content_hash=p.content_hash,
            line_count=p.line_count,
            docstring=p.docstring,
            all_names=p.all_names,
            imports=resolve_imports(p.imports, known),
            symbols=p.symbols,
        )
        for p in parsed
    )
    return ProjectFacts(modules=modules, diagnostics=tuple(diagnostics))


def facts_summary_json(facts: ProjectFacts) -> dict[str, object]:
    """The ``facts --json`` document: modules with their imports and symbols, and the diagnostics."""
    return {
        "modules": [
            {
                "name": m.name,
                "path": m.path,
                "is_package": m.is_package,
                "imports": list(m.internal_imports),
                "external_imports": list(m.external_imports),
                "symbols": [
                    {"qualname": s.qualname, "kind": s.kind, "line": s.line} for s in _walk_symbols(m.symbols)
                ],
            }
            for m in facts.modules
        ],
        "diagnostics": [{"path": d.path, "line": d.line, "message": d.message} for d in facts.diagnostics],
    }


def _walk_symbols(symbols: Sequence[SymbolFacts]) -> list[SymbolFacts]:
    out: list[SymbolFacts] = []
    for symbol in symbols:
        out.append(symbol)
        out.extend(_walk_symbols(symbol.members))
    return out
