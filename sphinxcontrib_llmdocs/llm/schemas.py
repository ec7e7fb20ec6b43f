"""Response schemas: what a valid answer to each prompt kind looks like."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AnalysisResponse",
    "IndexResponse",
    "ModuleResponse",
    "PackageResponse",
    "SymbolAnalysis",
]

_PROSE = "Markdown paragraphs and lists only: no headings, code fences, HTML or directives."


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SymbolAnalysis(_Strict):
    """The analysis of one class, function or constant."""

    name: str = Field(description="The symbol's qualified name, exactly as given in the evidence.")
    overview: str = Field(description="One or two sentences: what it is for. " + _PROSE)
    details: str = Field(default="", description="How it works and how to use it. " + _PROSE)
    side_effects: str = Field(default="", description="I/O, mutation, global state; empty if none.")
    usage_patterns: str = Field(default="", description="How callers in the evidence use it.")


class AnalysisResponse(_Strict):
    """Analyses of a chunk of a module's public symbols."""

    symbols: list[SymbolAnalysis]


class ModuleResponse(_Strict):
    """The prose of a module page."""

    summary: str = Field(description="What the module is for and what it owns. " + _PROSE)
    internal_structure: str = Field(
        description="How the module is organised inside and how its parts work together. " + _PROSE
    )


class PackageResponse(_Strict):
    """The prose of a package page."""

    summary: str = Field(description="What the package is for and how its modules divide the work. " + _PROSE)


class IndexResponse(_Strict):
    """The prose of the project overview."""

    overview: str = Field(description="The architecture of the project as a whole. " + _PROSE)
