"""The run's cost and its one-line summary, from the scheduler's counters."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sphinxcontrib_llmdocs.llm.prices import PriceTable, default_price_table

if TYPE_CHECKING:
    from sphinxcontrib_llmdocs.schedule.scheduler import RunStats

__all__ = ["format_progress", "format_summary", "run_cost"]


def run_cost(stats: RunStats, table: PriceTable | None = None) -> tuple[float, list[str]]:
    """USD for the tokens the run used, and the models the price table does not know (not counted)."""
    table = table or default_price_table()
    total = 0.0
    unknown: list[str] = []
    priced = [(m, u, False) for m, u in stats.usage_by_model.items()]
    priced += [(m, u, True) for m, u in stats.batch_usage_by_model.items()]
    for model, usage, batch in sorted(priced):
        cost = table.cost(model, usage, batch=batch)
        if cost is None:
            unknown.append(model)
        else:
            total += cost
    return total, sorted(set(unknown))


def format_progress(stats: RunStats) -> str:
    """``54/120 prompts (12 from cache, 1 failed)`` for the progress line."""
    extra = f"{stats.cache_hits} from cache, {stats.failures} failed"
    if stats.retries:
        extra += f", {stats.retries} retries"
    return f"{stats.done}/{stats.total} prompts ({extra})"


def format_summary(stats: RunStats, table: PriceTable | None = None) -> str:
    """One line: prompts sent, cache hits, tokens in/out, cost, failures, wall time."""
    cost, unknown = run_cost(stats, table)
    cost_text = f"${cost:.2f}"
    if unknown:
        cost_text += f" (no price for {', '.join(unknown)})"
    usage = stats.usage
    tokens_in = usage.input_tokens + usage.cache_creation_input_tokens + usage.cache_read_input_tokens
    return (
        f"{stats.sent} prompt{'s' * (stats.sent != 1)} sent, {stats.cache_hits} from cache, "
        f"{stats.offline} offline; "
        f"tokens {tokens_in:,} in / {usage.output_tokens:,} out; cost {cost_text}; "
        f"{stats.failures} failed, {stats.retries} retries; {stats.wall_time:.1f} s"
    )
