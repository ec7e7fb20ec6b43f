"""Run the prompt graph on one anyio task group: every prompt once, after the prompts it depends on, most
urgent first, within the concurrency and rate limits.

How a run goes: prompts whose dependencies have settled get their request written and are looked up in the
cache; a hit settles at once (which may release more prompts), a miss goes into the :class:`WorkQueue`.
``max_concurrency`` workers take the most urgent prompt (longest remaining chain), wait for the
:class:`RateLimiter`, and ask the backend. An answer is checked against its output contract, stored in the
cache at once, and settled in the :class:`DependencyTracker`, which releases dependent prompts and reports
pages that are ready for the :class:`PageRenderer`. A transient error waits (``retry-after`` or backoff)
and goes back into the queue, up to ``max_retries``; then the prompt fails and its dependents run without
it. Too many failed requests in a row (requests in flight together count once) stop the run with
:class:`RunAbortedError`; a refused API key or SIGTERM stops it at once.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import random
import signal
import threading
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

import anyio
from pydantic import ValidationError

from sphinxcontrib_llmdocs.cache.store import cache_key
from sphinxcontrib_llmdocs.errors import (
    AuthenticationError,
    BackendError,
    CacheEntryError,
    ContractViolationError,
    ProseContractViolationError,
    RunAbortedError,
)
from sphinxcontrib_llmdocs.llm.protocol import Backend, Completion, CompletionRequest, Usage
from sphinxcontrib_llmdocs.plan.contracts import check_answer
from sphinxcontrib_llmdocs.plan.model import PagePlan, PromptSpec
from sphinxcontrib_llmdocs.schedule.clock import AnyioClock, Clock
from sphinxcontrib_llmdocs.schedule.dependency_tracker import (
    DependencyTracker,
    critical_path_lengths,
    default_weight,
)
from sphinxcontrib_llmdocs.schedule.rate_limit import RateLimiter, RateLimits, estimate_cost
from sphinxcontrib_llmdocs.schedule.rendering import AnswerReads, ReadyPageHook, RunView
from sphinxcontrib_llmdocs.schedule.retry import RetryPolicy, may_retry, retry_after_of, retry_at
from sphinxcontrib_llmdocs.schedule.work_queue import WorkQueue

__all__ = ["AnswerStore", "PageGenerationScheduler", "RunResult", "RunStats", "parse_answer"]

RequestBuilder = Callable[[PromptSpec, Mapping[str, Mapping[str, object]]], CompletionRequest]
ProgressCallback = Callable[["RunStats"], None]


class AnswerStore(Protocol):
    """Where answers are kept between builds (:class:`~sphinxcontrib_llmdocs.cache.store.ResponseCache`)."""

    def get(self, key: str) -> Completion | None:
        """The stored answer for ``key``; raises ``CacheEntryError`` for a corrupt entry."""
        ...

    def put(self, key: str, request: CompletionRequest, completion: Completion) -> None:
        """Store an answer (atomically)."""
        ...


@dataclass
class RunStats:
    """Counters for the run report and the summary line."""

    total: int = 0
    done: int = 0
    sent: int = 0
    cache_hits: int = 0
    offline: int = 0
    failures: int = 0
    retries: int = 0
    usage: Usage = field(default_factory=Usage)
    cache_warnings: list[str] = field(default_factory=list)
    #: Token usage per model that answered, for the cost.
    usage_by_model: dict[str, Usage] = field(default_factory=dict)
    #: The same for answers through the Message Batches API (billed at the batch price).
    batch_usage_by_model: dict[str, Usage] = field(default_factory=dict)
    #: Failed requests (each attempt), retried or not.
    failed_requests: int = 0
    #: Seconds the run spent waiting for the rate limits.
    rate_limit_wait: float = 0.0
    #: Seconds from the start of the run to its end (on the scheduler's clock).
    wall_time: float = 0.0
    #: Prompts answered by a stand-in (a ``cache-only`` miss): their pages say they are not generated yet.
    placeholders: list[str] = field(default_factory=list)


@dataclass
class RunResult:
    """Answers by prompt id (parsed, schema-valid), failures by prompt id, and the counters.

    Dictionaries are in plan order, whatever order the answers arrived in. ``missing_inputs`` names, for a
    prompt that ran although some of its dependencies failed, those dependencies.
    """

    answers: dict[str, dict[str, object]]
    failures: dict[str, str]
    stats: RunStats
    models: dict[str, str]
    missing_inputs: dict[str, tuple[str, ...]] = field(default_factory=dict)


def parse_answer(request: CompletionRequest, completion: Completion) -> dict[str, object]:
    """Check ``completion`` against the request's output contract and return the parsed answer.

    :raises ContractViolationError: naming what is wrong (truncated, not JSON, schema mismatch).
    :raises ProseContractViolationError: schema-valid, but prose holds more than paragraphs and lists.
    """
    if completion.stop_reason == "max_tokens":
        raise ContractViolationError(f"{request.prompt_id}: answer truncated at max_tokens")
    text = completion.text.strip()
    if text.startswith("```"):
        # Models sometimes fence JSON despite instructions; the fence carries no content.
        text = text.strip("`").removeprefix("json").strip()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ContractViolationError(f"{request.prompt_id}: answer is not JSON ({exc})") from exc
    try:
        return check_answer(request, json.dumps(data), check_prose=completion.from_model)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "answer"
        raise ContractViolationError(
            f"{request.prompt_id}: answer does not match schema {request.schema.__name__}: "
            f"{where}: {first['msg']}"
        ) from exc


class PageGenerationScheduler:
    """Runs every prompt of a plan once, dependencies first, most urgent first, within the limits.

    :param build_request: writes a prompt's request from the answers of its dependencies.
    :param cache: answers kept between builds; every new model answer is stored the moment it arrives.
    :param max_concurrency: requests in flight at once.
    :param on_progress: called with the counters after every settled prompt (and once at the start).
    :param rate_limits: per-minute limits for requests, input and output tokens.
    :param max_retries: retries per prompt for transient errors.
    :param failure_threshold: failed requests in a row that stop the run.
    :param retry_policy: backoff settings; ``max_retries`` overrides its ``max_retries``.
    :param renderer: told about each page the moment it is ready.
    :param weight: expected duration of a prompt, for the critical-path order.
    :param priority: overrides the critical-path order (prompt id to priority, larger first).
    :param clock: time source (the event loop's by default).
    :param rng: randomness for the retry jitter.
    :param max_attempts: attempts per prompt, ``max_retries + 1`` (overrides ``max_retries`` when given).
    :param stop_on_sigterm: when run in the main thread, SIGTERM stops the run with
        :class:`RunAbortedError` instead of killing the process mid-request.
    """

    def __init__(
        self,
        plan: PagePlan,
        backend: Backend,
        cache: AnswerStore,
        build_request: RequestBuilder,
        *,
        max_concurrency: int = 4,
        on_progress: ProgressCallback | None = None,
        rate_limits: RateLimits | None = None,
        max_retries: int = 4,
        failure_threshold: int = 10,
        retry_policy: RetryPolicy | None = None,
        renderer: ReadyPageHook | None = None,
        weight: Callable[[PromptSpec], float] = default_weight,
        priority: Mapping[str, float] | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        stop_on_sigterm: bool = False,
        max_attempts: int | None = None,
    ) -> None:
        if max_concurrency < 1:
            raise ValueError(f"max_concurrency must be >= 1, got {max_concurrency}")
        if failure_threshold < 1:
            raise ValueError(f"failure_threshold must be >= 1, got {failure_threshold}")
        self.plan = plan
        self.backend = backend
        self.cache = cache
        self.build_request = build_request
        self.max_concurrency = max_concurrency
        self.on_progress = on_progress
        self.failure_threshold = failure_threshold
        if max_attempts is not None:
            max_retries = max(0, max_attempts - 1)
        base = retry_policy or RetryPolicy()
        self.retry_policy = dataclasses.replace(base, max_retries=max_retries)
        self.renderer = renderer
        self.stop_on_sigterm = stop_on_sigterm
        self.clock: Clock = clock or AnyioClock()
        self.rng = rng or random.Random()
        self.limiter = RateLimiter(rate_limits or RateLimits(), self.clock)
        self.tracker = DependencyTracker(plan)
        self.priority = dict(priority) if priority is not None else critical_path_lengths(plan, weight)
        self.stats = RunStats(total=len(plan.prompts))
        self._answers: dict[str, dict[str, object]] = {}
        self._failures: dict[str, str] = {}
        self._models: dict[str, str] = {}
        self._requests: dict[str, CompletionRequest] = {}
        self._retries: Counter[str] = Counter()
        self._failure_run: list[tuple[str, BackendError]] = []
        self._stop: Callable[[], BaseException] | None = None
        self._queue: WorkQueue | None = None
        self._task_group: anyio.abc.TaskGroup | None = None
        self._watch_scope: anyio.CancelScope | None = None
        self._view = RunView(AnswerReads(self._answers), self._failures, self._models, self.tracker.pending)

    async def run(self) -> RunResult:
        """Run the whole graph; returns when every prompt has an answer or has failed.

        :raises AuthenticationError: at the first refused API key; nothing else is sent.
        :raises RunAbortedError: after ``failure_threshold`` failed requests in a row, or on SIGTERM.
        """
        started = self.clock.now()
        self._queue = WorkQueue(self.priority)
        try:
            async with anyio.create_task_group() as tg:
                self._task_group = tg
                if self.stop_on_sigterm and threading.current_thread() is threading.main_thread():
                    await tg.start(self._watch_sigterm)
                self._progress()
                self._release(self.tracker.initially_ready())
                # No more workers than prompts: a batching backend asks for "as many as you have".
                for _ in range(min(self.max_concurrency, len(self.plan.prompts))):
                    tg.start_soon(self._worker)
        except BaseExceptionGroup as group:
            # One failure (a full disk, a bug, Ctrl-C inside a task) reads better without the group around it.
            if len(group.exceptions) == 1:
                raise group.exceptions[0] from None
            raise
        finally:
            self.stats.wall_time = self.clock.now() - started
            self.stats.rate_limit_wait = self.limiter.waited
            with anyio.CancelScope(shield=True):
                await self.backend.aclose()
        if self._stop is not None:
            # Built now, not when the stop began: answers still arriving meanwhile were kept too.
            raise self._stop()
        if self.renderer is not None:
            self.renderer.finish(self._view)
        return self._result()

    async def _watch_sigterm(self, *, task_status: anyio.abc.TaskStatus[None]) -> None:
        """Turn SIGTERM (a cancelled CI job) into an orderly stop: in-flight requests are cancelled, every
        answer received so far is already in the cache."""
        previous = signal.getsignal(signal.SIGTERM)
        try:
            with anyio.CancelScope() as scope, anyio.open_signal_receiver(signal.SIGTERM) as signals:
                self._watch_scope = scope
                task_status.started()
                async for _ in signals:
                    self._abort(lambda: RunAbortedError(f"interrupted by SIGTERM. {self._kept()}"))
                    return
        except NotImplementedError:  # no signal handlers on this platform's event loop
            task_status.started()
        finally:
            with contextlib.suppress(ValueError, TypeError):
                signal.signal(signal.SIGTERM, previous)

    def _result(self) -> RunResult:
        order = [p.id for p in self.plan.prompts]
        return RunResult(
            answers={p: self._answers[p] for p in order if p in self._answers},
            failures={p: self._failures[p] for p in order if p in self._failures},
            stats=self.stats,
            models={p: self._models[p] for p in order if p in self._models},
            missing_inputs={p: m for p in order if (m := self.tracker.failed_inputs(p))},
        )

    def _progress(self) -> None:
        if self.on_progress is not None:
            self.on_progress(self.stats)

    def _release(self, prompts: tuple[str, ...]) -> None:
        """Write the requests of newly ready prompts; serve cache hits at once, queue the rest."""
        assert self._queue is not None
        work = deque(prompts)
        while work:
            prompt_id = work.popleft()
            spec = self.plan.prompt(prompt_id)
            deps = {d: self._answers[d] for d in spec.deps if d in self._answers}
            request = self.build_request(spec, deps)
            self._requests[prompt_id] = request
            cached = self._from_cache(request) if self.backend.reads_cache else None
            if cached is None:
                self._queue.put(prompt_id)
                continue
            answer, model = cached
            self.stats.cache_hits += 1
            work.extend(self._settle(prompt_id, answer, model))
        if self.tracker.all_settled:
            self._queue.close()
            if self._watch_scope is not None:
                self._watch_scope.cancel()

    def _from_cache(self, request: CompletionRequest) -> tuple[dict[str, object], str] | None:
        try:
            cached = self.cache.get(cache_key(request))
        except CacheEntryError as exc:
            self.stats.cache_warnings.append(str(exc))
            return None
        if cached is None:
            return None
        try:
            return parse_answer(request, cached), cached.model
        except ProseContractViolationError as exc:
            return exc.answer, cached.model  # kept after its retries; the renderer neutralises the prose
        except ContractViolationError as exc:
            self.stats.cache_warnings.append(f"cached answer rejected: {exc}")
            return None

    def _settle(
        self, prompt_id: str, answer: dict[str, object] | None, model: str | None, error: str | None = None
    ) -> tuple[str, ...]:
        """Record an answer (or a failure), render what it completes; return the prompts it released."""
        if answer is not None and model is not None:
            self._answers[prompt_id] = answer
            self._models[prompt_id] = model
        else:
            self._failures[prompt_id] = error or "failed"
            self.stats.failures += 1
        settled = self.tracker.settle(prompt_id, failed=answer is None)
        self.stats.done += 1
        if self.renderer is not None:
            self.renderer.prompt_settled(prompt_id, self._view)
            for page_id in settled.pages:
                self.renderer.page_ready(self.plan.page(page_id), self._view)
        for page_id in settled.pages:
            self.tracker.pages[page_id].written = True
        self._progress()
        return settled.prompts

    async def _worker(self) -> None:
        assert self._queue is not None
        while True:
            prompt_id = await self._queue.get()
            if prompt_id is None:
                return
            await self._attempt(prompt_id)

    async def _attempt(self, prompt_id: str) -> None:
        request = self._requests[prompt_id]
        ticket = await self.limiter.acquire(estimate_cost(request)) if self.backend.sends_requests else None
        streak_at_send = len(self._failure_run)
        try:
            completion = await self.backend.complete(request)
        except AuthenticationError as exc:
            refused = exc  # ``exc`` is unbound after the except block
            self._abort(lambda: refused)
            return
        except BackendError as exc:
            self._attempt_failed(prompt_id, exc, streak_at_send)
            return
        self.limiter.observe(completion.rate_limit)
        if ticket is not None:
            self.limiter.settle(ticket, completion.usage)
        if completion.from_model:
            self.stats.sent += 1
            self.stats.usage = self.stats.usage + completion.usage
            by_model = self.stats.batch_usage_by_model if completion.batch else self.stats.usage_by_model
            by_model[completion.model] = by_model.get(completion.model, Usage()) + completion.usage
        else:
            self.stats.offline += 1
        if completion.placeholder:
            self.stats.placeholders.append(request.prompt_id)
        try:
            answer = parse_answer(request, completion)
        except ProseContractViolationError as exc:
            if may_retry(exc, self._retries[prompt_id], self.retry_policy):
                self._attempt_failed(prompt_id, exc, streak_at_send)
                return
            # Schema-valid, but the retries did not clean its prose: keep it; the renderer neutralises it.
            answer = exc.answer
        except ContractViolationError as exc:
            self._attempt_failed(prompt_id, exc, streak_at_send)
            return
        if completion.from_model:
            # Stored before anything else happens: an interrupted build keeps every answer it paid for.
            self.cache.put(cache_key(request), request, completion)
        self._failure_run.clear()
        self._release(self._settle(prompt_id, answer, completion.model))

    def _attempt_failed(self, prompt_id: str, error: BackendError, streak_at_send: int) -> None:
        assert self._task_group is not None
        self.stats.failed_requests += 1
        # Requests already in flight when another one failed are the same incident (a burst of 429s at
        # high concurrency): a failure extends the streak only if its request was sent knowing the last one.
        if len(self._failure_run) == streak_at_send:
            self._failure_run.append((prompt_id, error))
        if len(self._failure_run) >= self.failure_threshold:
            message = self._abort_message()
            self._abort(lambda: RunAbortedError(f"{message} {self._kept()}"))
            return
        after = retry_after_of(error)
        if after is not None:
            # A rate limit or overload concerns the whole account, not this one prompt.
            self.limiter.pause(after)
        retries = self._retries[prompt_id]
        if may_retry(error, retries, self.retry_policy):
            self._retries[prompt_id] += 1
            self.stats.retries += 1
            due = retry_at(self.clock.now(), error, retries + 1, self.retry_policy, self.rng.random)
            self._task_group.start_soon(self._retry_at, prompt_id, due)
            self._progress()
            return
        attempts = retries + 1
        message = f"{error} (after {attempts} attempt{'s' if attempts > 1 else ''})"
        self._release(self._settle(prompt_id, None, None, message))

    async def _retry_at(self, prompt_id: str, due: float) -> None:
        assert self._queue is not None
        await self.clock.sleep(due - self.clock.now())
        self._queue.put(prompt_id)

    def _abort(self, error: Callable[[], BaseException]) -> None:
        if self._stop is None:
            self._stop = error
        assert self._task_group is not None
        self._task_group.cancel_scope.cancel()

    def _abort_message(self) -> str:
        kinds = Counter(type(e).__name__ for _, e in self._failure_run)
        how = ", ".join(f"{n}x {kind}" for kind, n in sorted(kinds.items()))
        prompts = list(dict.fromkeys(p for p, _ in self._failure_run))
        shown = ", ".join(prompts[:5]) + (f" and {len(prompts) - 5} more" if len(prompts) > 5 else "")
        last_prompt, last_error = self._failure_run[-1]
        return (
            f"stopped after {len(self._failure_run)} failed requests in a row "
            f"(llmdocs_failure_threshold = {self.failure_threshold}): {how}; prompts: {shown}; "
            f"last error ({last_prompt}): {last_error}."
        )

    def _kept(self) -> str:
        return (
            f"{len(self._answers)} of {self.stats.total} prompts were answered and are kept in the cache; "
            "the next build sends only the rest."
        )
