"""Planning: which pages exist, which prompts feed them, in which order, with which evidence."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from sphinxcontrib_llmdocs.plan.model import Page, PagePlan, PromptSpec

if TYPE_CHECKING:
    from sphinxcontrib_llmdocs.plan.evidence import (
        SCHEMAS,
        TEMPLATE_VERSION,
        EvidenceBuilder,
        build_request,
        summary_of,
    )
    from sphinxcontrib_llmdocs.plan.pages import plan_project

__all__ = [
    "SCHEMAS",
    "TEMPLATE_VERSION",
    "EvidenceBuilder",
    "Page",
    "PagePlan",
    "PromptSpec",
    "build_request",
    "plan_project",
    "summary_of",
]

_MODULES = {
    "SCHEMAS": "evidence",
    "TEMPLATE_VERSION": "evidence",
    "EvidenceBuilder": "evidence",
    "build_request": "evidence",
    "summary_of": "evidence",
    "plan_project": "pages",
}


def __getattr__(name: str) -> Any:
    # Planning and evidence bring pydantic (the response schemas); a build in which nothing changed only
    # needs the plan's data classes and never loads them (see sphinx_ext/noop.py).
    if name in _MODULES:
        return getattr(importlib.import_module(f"{__name__}.{_MODULES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
