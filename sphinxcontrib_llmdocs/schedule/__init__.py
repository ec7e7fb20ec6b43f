"""Scheduling: the prompt graph run on an anyio task group."""

from sphinxcontrib_llmdocs.schedule.clock import AnyioClock, Clock
from sphinxcontrib_llmdocs.schedule.dependency_tracker import (
    DependencyTracker,
    PageState,
    critical_path_lengths,
    default_weight,
)
from sphinxcontrib_llmdocs.schedule.rate_limit import RateLimiter, RateLimits
from sphinxcontrib_llmdocs.schedule.rendering import PageRenderer, RunView
from sphinxcontrib_llmdocs.schedule.retry import RetryPolicy
from sphinxcontrib_llmdocs.schedule.scheduler import (
    PageGenerationScheduler,
    RunResult,
    RunStats,
    parse_answer,
)
from sphinxcontrib_llmdocs.schedule.summary import format_progress, format_summary, run_cost
from sphinxcontrib_llmdocs.schedule.work_queue import WorkQueue

__all__ = [
    "AnyioClock",
    "Clock",
    "DependencyTracker",
    "PageGenerationScheduler",
    "PageRenderer",
    "PageState",
    "RateLimiter",
    "RateLimits",
    "RetryPolicy",
    "RunResult",
    "RunStats",
    "RunView",
    "WorkQueue",
    "critical_path_lengths",
    "default_weight",
    "format_progress",
    "format_summary",
    "parse_answer",
    "run_cost",
]
