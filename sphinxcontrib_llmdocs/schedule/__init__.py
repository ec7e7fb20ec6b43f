"""Scheduling: the prompt graph run on an anyio task group."""

from sphinxcontrib_llmdocs.schedule.scheduler import (
    PageGenerationScheduler,
    RunResult,
    RunStats,
    parse_answer,
)

__all__ = ["PageGenerationScheduler", "RunResult", "RunStats", "parse_answer"]
