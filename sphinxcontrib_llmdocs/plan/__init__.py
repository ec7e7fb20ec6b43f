"""Planning: which pages exist, which prompts feed them, in which order, with which evidence."""

from sphinxcontrib_llmdocs.plan.evidence import (
    SCHEMAS,
    TEMPLATE_VERSION,
    EvidenceBuilder,
    build_request,
    summary_of,
)
from sphinxcontrib_llmdocs.plan.model import Page, PagePlan, PromptSpec
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
