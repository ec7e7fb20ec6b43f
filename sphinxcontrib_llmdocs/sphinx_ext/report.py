"""The run report: JSON in the output folder after every build."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from sphinxcontrib_llmdocs.pipeline import Generation

__all__ = ["REPORT_NAME", "build_report", "write_report"]

#: File name of the run report in the output directory.
REPORT_NAME = "llmdocs-report.json"


def build_report(generation: Generation, grounding: Mapping[str, object] | None = None) -> dict[str, object]:
    """The report's content: backend, prompts, tokens, failures, diagnostics, grounding of mentions."""
    stats = generation.result.stats
    return {
        "backend": generation.backend.backend.name,
        "backend_reason": generation.backend.reason,
        "pages": len(generation.pages),
        "prompts": {
            "total": stats.total,
            "sent": stats.sent,
            "cache_hits": stats.cache_hits,
            "offline": stats.offline,
            "failed": stats.failures,
            "retries": stats.retries,
        },
        "tokens": {
            "input": stats.usage.input_tokens,
            "output": stats.usage.output_tokens,
            "cache_write": stats.usage.cache_creation_input_tokens,
            "cache_read": stats.usage.cache_read_input_tokens,
        },
        "failures": dict(sorted(generation.result.failures.items())),
        "diagnostics": [str(d) for d in generation.facts.diagnostics],
        "grounding": dict(grounding or {}),
    }


def write_report(outdir: Path, generation: Generation, grounding: Mapping[str, object] | None = None) -> Path:
    """Write the report into ``outdir``; returns its path."""
    path = outdir / REPORT_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(build_report(generation, grounding), indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return path
