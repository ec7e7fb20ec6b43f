"""The run report: JSON in the output folder after every build.

Prompts sent, cache hits and misses, tokens and cost by prompt kind (dated price table), failures, the
generated pages Sphinx re-read, and the prompts that were answered anew, each with the reason.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from sphinxcontrib_llmdocs.llm.prices import default_price_table
from sphinxcontrib_llmdocs.llm.protocol import Usage
from sphinxcontrib_llmdocs.pipeline import Generation
from sphinxcontrib_llmdocs.sphinx_ext.noop import REPORT_NAME

if TYPE_CHECKING:
    from sphinxcontrib_llmdocs.sphinx_ext.incremental import RebuildRecord

__all__ = ["REPORT_NAME", "build_report", "write_report"]


def _prompt_outcomes(generation: Generation, rebuild: RebuildRecord | None) -> dict[str, str]:
    """How each prompt was answered in this build: sent, cache_hit, miss, failed or offline."""
    stats = generation.result.stats
    cache = generation.cache
    placeholders = set(stats.placeholders)
    outcomes: dict[str, str] = {}
    for spec in generation.plan.prompts:
        key = rebuild.records[spec.id].key if rebuild is not None and spec.id in rebuild.records else None
        if spec.id in generation.result.failures:
            outcome = "failed"
        elif spec.id in placeholders:
            outcome = "miss"
        elif cache is not None and key is not None and key in cache.stored:
            outcome = "sent"
        elif cache is not None and key is not None and key in cache.hit_keys:
            outcome = "cache_hit"
        else:
            outcome = "offline"
        outcomes[spec.id] = outcome
    return outcomes


def _by_kind(generation: Generation, outcomes: dict[str, str]) -> tuple[dict[str, object], float | None]:
    prices = default_price_table()
    kinds = {spec.id: spec.kind for spec in generation.plan.prompts}
    counts: dict[str, Counter[str]] = {}
    for prompt_id, outcome in outcomes.items():
        counts.setdefault(kinds[prompt_id], Counter())[outcome] += 1
    usage: dict[str, Usage] = {}
    cost: dict[str, float | None] = {}
    total_cost: float | None = 0.0
    stored = generation.cache.stored.values() if generation.cache is not None else ()
    for answer in stored:
        usage[answer.kind] = usage.get(answer.kind, Usage()) + answer.usage
        # A test double's model ("fake-...") is priced as the model the prompt asked for.
        price = prices.cost(answer.model, answer.usage)
        price = price if price is not None else prices.cost(answer.request_model, answer.usage)
        previous = cost.get(answer.kind, 0.0)
        cost[answer.kind] = None if price is None or previous is None else previous + price
        total_cost = None if price is None or total_cost is None else total_cost + price
    table: dict[str, object] = {}
    for kind in sorted(counts):
        tokens = usage.get(kind, Usage())
        kind_cost = cost.get(kind, 0.0)
        table[kind] = {
            "prompts": sum(counts[kind].values()),
            "sent": counts[kind]["sent"],
            "cache_hits": counts[kind]["cache_hit"],
            "misses": counts[kind]["miss"],
            "offline": counts[kind]["offline"],
            "failed": counts[kind]["failed"],
            "input_tokens": tokens.input_tokens,
            "output_tokens": tokens.output_tokens,
            "cache_write_tokens": tokens.cache_creation_input_tokens,
            "cache_read_tokens": tokens.cache_read_input_tokens,
            "cost_usd": None if kind_cost is None else round(kind_cost, 6),
        }
    return table, None if total_cost is None else round(total_cost, 6)


def build_report(
    generation: Generation,
    grounding: Mapping[str, object] | None = None,
    rebuild: RebuildRecord | None = None,
) -> dict[str, object]:
    """The report's content: backend, prompts, tokens and cost by kind, failures, re-runs, pages re-read,
    diagnostics, grounding of mentions."""
    stats = generation.result.stats
    outcomes = _prompt_outcomes(generation, rebuild)
    by_kind, cost = _by_kind(generation, outcomes)
    return {
        "backend": generation.backend.backend.name,
        "backend_reason": generation.backend.reason,
        "pages": len(generation.pages),
        "pages_regenerated": sorted(rebuild.outdated) if rebuild is not None else [],
        "prompts": {
            "total": stats.total,
            "sent": stats.sent,
            "cache_hits": stats.cache_hits,
            "misses": len(set(stats.placeholders)),
            "offline": stats.offline,
            "failed": stats.failures,
            "retries": stats.retries,
        },
        "prompts_rerun": dict(sorted(rebuild.rerun.items())) if rebuild is not None else {},
        "cache_misses": sorted(set(stats.placeholders)),
        "by_kind": by_kind,
        "tokens": {
            "input": stats.usage.input_tokens,
            "output": stats.usage.output_tokens,
            "cache_write": stats.usage.cache_creation_input_tokens,
            "cache_read": stats.usage.cache_read_input_tokens,
        },
        "cost_usd": cost,
        "prices_as_of": default_price_table().as_of,
        "failures": dict(sorted(generation.result.failures.items())),
        "diagnostics": [str(d) for d in generation.facts.diagnostics],
        "grounding": dict(grounding or {}),
    }


def write_report(
    outdir: Path,
    generation: Generation,
    grounding: Mapping[str, object] | None = None,
    rebuild: RebuildRecord | None = None,
) -> Path:
    """Write the report into ``outdir``; returns its path."""
    path = outdir / REPORT_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(build_report(generation, grounding, rebuild), indent=2, sort_keys=True) + "\n"
    path.write_text(text, encoding="utf-8")
    return path
