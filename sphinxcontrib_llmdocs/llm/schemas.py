"""Response schemas: what a valid answer to each prompt kind looks like.

Prose fields (:data:`PROSE_FIELDS`) hold Markdown paragraphs and lists only; the output contract
(:mod:`sphinxcontrib_llmdocs.plan.contracts`) checks that on top of the schema.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "PROSE_FIELDS",
    "AnalysisResponse",
    "ClassAnalysis",
    "FunctionAnalysis",
    "IndexResponse",
    "ModuleResponse",
    "PackageResponse",
    "SymbolAnalysis",
    "VariableAnalysis",
    "analysis_kind_of",
]

#: Field names whose values are prose, in every schema below.
PROSE_FIELDS = frozenset(
    {
        "overview",
        "details",
        "side_effects",
        "reads_writes",
        "invariants",
        "key_members",
        "usage_patterns",
        "summary",
        "internal_structure",
    }
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _SymbolBase(_Strict):
    name: str = Field(description="The symbol's qualified name, exactly as given in the evidence.")
    overview: str = Field(description="One or two sentences: what it is for. ")
    details: str = Field(default="", description="How it works and how to use it. ")
    usage_patterns: str = Field(default="", description="How callers in the evidence use it. ")


class FunctionAnalysis(_SymbolBase):
    """The analysis of a function or async function."""

    kind: Literal["function"] = Field(description='Always "function" for functions and async functions.')
    side_effects: str = Field(default="", description="I/O, mutation, global state; empty if none. ")
    reads_writes: str = Field(
        default="", description="State, files or attributes it reads and writes; empty if none. "
    )
    invariants: str = Field(
        default="", description="Pre- and postconditions the code enforces or relies on. "
    )


class ClassAnalysis(_SymbolBase):
    """The analysis of a class."""

    kind: Literal["class"] = Field(description='Always "class".')
    side_effects: str = Field(
        default="", description="I/O or global state its methods touch; empty if none. "
    )
    reads_writes: str = Field(default="", description="The state instances hold and who changes it. ")
    invariants: str = Field(default="", description="What stays true of an instance between calls. ")
    key_members: str = Field(
        default="", description="The few methods and attributes that matter most, and why. "
    )


class VariableAnalysis(_SymbolBase):
    """The analysis of a module-level constant or variable."""

    kind: Literal["variable"] = Field(description='Always "variable" for constants and variables.')


#: One symbol's analysis; ``kind`` selects the schema.
SymbolAnalysis = Annotated[FunctionAnalysis | ClassAnalysis | VariableAnalysis, Field(discriminator="kind")]


def analysis_kind_of(symbol_kind: str) -> Literal["function", "class", "variable"]:
    """The analysis schema kind for a facts symbol kind (``async function`` is a function, ...)."""
    if symbol_kind == "class":
        return "class"
    if "function" in symbol_kind or symbol_kind in ("method", "classmethod", "staticmethod"):
        return "function"
    return "variable"


class AnalysisResponse(_Strict):
    """Analyses of a chunk of a module's public symbols, one entry per symbol, in the order given."""

    symbols: list[SymbolAnalysis]


class ModuleResponse(_Strict):
    """The prose of a module page."""

    summary: str = Field(description="What the module is for and what it owns. ")
    internal_structure: str = Field(
        description="How the module is organised inside and how its parts work together. "
    )


class PackageResponse(_Strict):
    """The prose of a package page."""

    summary: str = Field(description="What the package is for and how its modules divide the work. ")


class IndexResponse(_Strict):
    """The prose of the project overview."""

    overview: str = Field(description="The architecture of the project as a whole. ")
