"""The whole pipeline without Sphinx: extract, plan, schedule, render.

The Sphinx adapter and the command line both call it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import anyio
import anyio.from_thread

from sphinxcontrib_llmdocs.cache.store import ResponseCache
from sphinxcontrib_llmdocs.config import LlmdocsConfig
from sphinxcontrib_llmdocs.errors import LlmdocsError
from sphinxcontrib_llmdocs.extract import ProjectFacts, extract_project
from sphinxcontrib_llmdocs.files import write_if_changed
from sphinxcontrib_llmdocs.llm import BackendChoice, CompletionRequest, choose_backend
from sphinxcontrib_llmdocs.plan import EvidenceBuilder, PagePlan, PromptSpec, plan_project
from sphinxcontrib_llmdocs.plan.estimate import dry_run_backend
from sphinxcontrib_llmdocs.plan.model import Page
from sphinxcontrib_llmdocs.render import RenderContext, RenderedPage, render_page
from sphinxcontrib_llmdocs.schedule import (
    PageGenerationScheduler,
    PageRenderer,
    RateLimits,
    RunResult,
    RunStats,
    RunView,
)

__all__ = ["Generation", "generate", "run_async", "write_if_changed"]


@dataclass(frozen=True)
class Generation:
    """Everything one run produced."""

    facts: ProjectFacts
    plan: PagePlan
    backend: BackendChoice
    result: RunResult
    pages: tuple[RenderedPage, ...]
    #: The store the run read and wrote, with its record of what this run stored (for the run report).
    cache: ResponseCache | None = None
    #: The request of every prompt as the scheduler built it, by prompt id.
    requests: Mapping[str, CompletionRequest] = field(default_factory=dict)


def run_async(func: Callable[[], object]) -> object:
    """Run an async callable to completion from synchronous code.

    ``anyio.run`` in this thread; when an event loop already runs here (a build started from a notebook),
    on a worker thread's loop instead, and an interrupt here (Ctrl-C) cancels the run over there.
    """
    try:
        import asyncio

        asyncio.get_running_loop()
    except RuntimeError:
        return anyio.run(func)  # type: ignore[arg-type]
    with anyio.from_thread.start_blocking_portal() as portal:
        future = portal.start_task_soon(func)
        try:
            return future.result()
        except BaseException:
            future.cancel()
            raise


def generate(
    config: LlmdocsConfig,
    *,
    project: str,
    state_dir: Path,
    on_progress: Callable[[RunStats], None] | None = None,
) -> Generation:
    """Extract, plan, run every prompt (or serve it from the cache) and render every page.

    :param state_dir: where the response cache and the parsed-module cache (``facts/``) live (the Sphinx
        doctree directory's ``llmdocs`` folder).
    """
    facts = extract_project(config.packages, config.exclude, cache_dir=state_dir / "facts")
    plan = plan_project(facts, config, project)
    choice = dry_run_backend() if config.dry_run else choose_backend(config, state_dir=state_dir)
    cache = ResponseCache(state_dir / "cache", config.cache_dir)
    evidence = EvidenceBuilder(facts, plan, language=config.language, evidence_tokens=config.evidence_tokens)
    requests: dict[str, CompletionRequest] = {}

    def request_for(spec: PromptSpec, answers: Mapping[str, Mapping[str, object]]) -> CompletionRequest:
        # Recorded for the run report: which prompts ran again, and why (sphinx_ext/incremental.py).
        request = evidence(spec, answers)
        requests[spec.id] = request
        return request

    contexts: list[RenderContext] = []

    def render_ready(page: Page, view: RunView) -> RenderedPage:
        # One context for the whole run (its symbol index is built once); its mappings are live views.
        if not contexts:
            contexts.append(RenderContext(facts, plan, view.answers, view.failures, view.models))
        return render_page(page, contexts[0])

    renderer = PageRenderer(render_ready)
    scheduler = PageGenerationScheduler(
        plan,
        choice.backend,
        cache,
        request_for,
        # A batching backend wants every ready prompt at once (one batch per wave), not a few at a time.
        max_concurrency=getattr(choice.backend, "preferred_concurrency", None) or config.max_concurrency,
        on_progress=on_progress,
        rate_limits=RateLimits.from_mapping(config.rate_limits),
        max_retries=config.max_retries,
        failure_threshold=config.failure_threshold,
        renderer=renderer,
        stop_on_sigterm=True,
    )
    try:
        result = run_async(scheduler.run)
    except BaseExceptionGroup as group:
        # A run stopped by one of our errors (a refused API key) reports that error, not the task group.
        raise _first_llmdocs_error(group) from None
    assert isinstance(result, RunResult)
    ctx = RenderContext(facts, plan, result.answers, result.failures, result.models)
    # Every page was rendered the moment it was ready; the fallback only guards a page without prompts.
    pages = tuple(renderer.rendered.get(page.id) or render_page(page, ctx) for page in plan.pages)
    return Generation(facts, plan, choice, result, pages, cache, requests)


def _first_llmdocs_error(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The first :class:`LlmdocsError` inside ``group`` (however nested), else ``group`` itself."""
    for exc in group.exceptions:
        if isinstance(exc, LlmdocsError):
            return exc
        if isinstance(exc, BaseExceptionGroup):
            inner = _first_llmdocs_error(exc)
            if inner is not exc:
                return inner
    return group
