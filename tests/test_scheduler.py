"""The scheduler on a virtual clock (trio's MockClock): order, limits, retries, failures, interruption.

Nothing here sleeps for real: time jumps ahead whenever every task waits.
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import anyio
import pytest
import trio.testing
from pydantic import BaseModel

from sphinxcontrib_llmdocs.cache import ResponseCache
from sphinxcontrib_llmdocs.config import LlmdocsConfig
from sphinxcontrib_llmdocs.errors import (
    AuthenticationError,
    BackendError,
    ContractViolationError,
    PlanError,
    RunAbortedError,
    TransientBackendError,
)
from sphinxcontrib_llmdocs.extract import extract_project
from sphinxcontrib_llmdocs.llm.offline import write_offline_answer
from sphinxcontrib_llmdocs.llm.protocol import Completion, CompletionRequest, RateLimitInfo, Usage
from sphinxcontrib_llmdocs.plan import build_request, plan_project
from sphinxcontrib_llmdocs.plan.model import Page, PagePlan, PromptSpec
from sphinxcontrib_llmdocs.schedule import (
    DependencyTracker,
    PageGenerationScheduler,
    PageRenderer,
    RateLimiter,
    RateLimits,
    RunStats,
    RunView,
    critical_path_lengths,
    format_summary,
    run_cost,
)
from sphinxcontrib_llmdocs.schedule.rate_limit import Cost
from sphinxcontrib_llmdocs.schedule.retry import (
    RetryPolicy,
    backoff_delay,
    is_transient,
    may_retry,
    retry_at,
    retry_delay,
)
from sphinxcontrib_llmdocs.testing import MemoryAnswerStore

SHOP = Path(__file__).parent / "roots" / "test-basic" / "src" / "shop"


def virtual_run(func: Callable[[], object]) -> object:
    """Run on trio with a clock that jumps ahead whenever all tasks wait."""
    clock = trio.testing.MockClock(autojump_threshold=0)
    return anyio.run(func, backend="trio", backend_options={"clock": clock})


class Answer(BaseModel):
    text: str


def tiny_plan(graph: Mapping[str, tuple[str, ...]]) -> PagePlan:
    """One page per prompt; ``graph[p]`` lists what ``p`` waits for."""
    prompts = tuple(PromptSpec(p, "module", f"page:{p}", p, "model", deps=deps) for p, deps in graph.items())
    pages = tuple(Page(f"page:{p}", "module", p, f"llmdocs/{p}", p, None, prompts=(p,)) for p in graph)
    return PagePlan("tiny", "llmdocs", pages, prompts, ())


def tiny_request(spec: PromptSpec, answers: Mapping[str, Mapping[str, object]]) -> CompletionRequest:
    given = "; ".join(f"{k}={v['text']}" for k, v in answers.items())
    return CompletionRequest(spec.id, spec.kind, spec.model, "system", f"{spec.id} given [{given}]", Answer)


@dataclass
class Call:
    prompt_id: str
    start: float
    end: float | None = None
    usage: Usage | None = None


Outcome = BaseException | str | Completion


class ScriptedBackend:
    """Answers after a latency; ``script[prompt]`` lists outcomes for the first calls of a prompt (an
    exception to raise, a text to answer, a completion), ``default`` the outcome after that."""

    name = "scripted"
    sends_requests = True
    reads_cache = True

    def __init__(
        self,
        *,
        latency: Callable[[CompletionRequest], float] = lambda r: 1.0,
        script: Mapping[str, list[Outcome]] | None = None,
        default: Callable[[CompletionRequest], Outcome] | None = None,
    ) -> None:
        self.latency = latency
        self.script = {k: list(v) for k, v in (script or {}).items()}
        self.default = default
        self.calls: list[Call] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.closed = False

    def answer_text(self, request: CompletionRequest) -> str:
        if request.schema is Answer:
            return json.dumps({"text": f"<{request.user}>"})
        return json.dumps(write_offline_answer(request), sort_keys=True)

    async def complete(self, request: CompletionRequest) -> Completion:
        call = Call(request.prompt_id, anyio.current_time())
        self.calls.append(call)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await anyio.sleep(self.latency(request))
        finally:
            self.in_flight -= 1
            call.end = anyio.current_time()
        queue = self.script.get(request.prompt_id)
        outcome: Outcome | None = queue.pop(0) if queue else None
        if outcome is None and self.default is not None:
            outcome = self.default(request)
        if isinstance(outcome, BaseException):
            raise outcome
        if isinstance(outcome, Completion):
            call.usage = outcome.usage
            return outcome
        text = outcome if isinstance(outcome, str) else self.answer_text(request)
        usage = Usage((len(request.system) + len(request.user)) // 4, len(text) // 4)
        call.usage = usage
        return Completion(text=text, model="model-x", usage=usage)

    async def aclose(self) -> None:
        self.closed = True


def shop_setup() -> tuple[PagePlan, Callable[..., CompletionRequest]]:
    facts = extract_project([SHOP])
    plan = plan_project(facts, LlmdocsConfig(packages=(SHOP,)), "shop")
    return plan, lambda spec, answers: build_request(spec, facts, plan, answers)


def cache_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.json")) if root.exists() else []


# --- order ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_no_prompt_starts_before_its_dependencies_under_random_latencies(tmp_path, seed):
    plan, builder = shop_setup()
    rng = random.Random(seed)
    latencies = {p.id: rng.lognormvariate(0, 1) for p in plan.prompts}
    backend = ScriptedBackend(latency=lambda r: latencies[r.prompt_id])
    concurrency = 1 + seed % 4
    scheduler = PageGenerationScheduler(
        plan, backend, ResponseCache(tmp_path), builder, max_concurrency=concurrency
    )
    result = virtual_run(scheduler.run)

    assert not result.failures
    assert set(result.answers) == {p.id for p in plan.prompts}
    calls = {c.prompt_id: c for c in backend.calls}
    assert len(backend.calls) == len(plan.prompts)  # each prompt once
    for spec in plan.prompts:
        for dep in spec.deps:
            assert calls[dep].end <= calls[spec.id].start, (dep, spec.id)
    assert backend.max_in_flight <= concurrency
    assert backend.closed


def test_longest_remaining_chain_goes_first():
    # "lone" comes first in plan order, but "a" heads a chain of four: with one slot, "a" must go first.
    graph = {"lone": (), "a": (), "b": ("a",), "c": ("b",), "d": ("c",)}
    plan = tiny_plan(graph)
    lengths = critical_path_lengths(plan, lambda spec: 1.0)
    assert lengths == {"lone": 1.0, "a": 4.0, "b": 3.0, "c": 2.0, "d": 1.0}

    def order(priority: dict[str, float] | None) -> list[str]:
        backend = ScriptedBackend()
        store = MemoryAnswerStore()
        scheduler = PageGenerationScheduler(
            plan, backend, store, tiny_request, max_concurrency=1, priority=priority
        )
        virtual_run(scheduler.run)
        return [c.prompt_id for c in backend.calls]

    assert order(None) == ["a", "b", "c", "d", "lone"]
    # The same scheduler with equal priorities is plain FIFO: the check above is not an accident of order.
    assert order(dict.fromkeys(graph, 0.0)) == ["lone", "a", "b", "c", "d"]


def test_critical_path_order_finishes_sooner_than_fifo():
    # One long chain and many short independent prompts, two slots.
    graph: dict[str, tuple[str, ...]] = {f"s{i}": () for i in range(8)}
    graph.update({"c0": (), "c1": ("c0",), "c2": ("c1",), "c3": ("c2",)})
    plan = tiny_plan(graph)

    def makespan(priority: dict[str, float] | None) -> float:
        async def main() -> float:
            scheduler = PageGenerationScheduler(
                plan,
                ScriptedBackend(),
                MemoryAnswerStore(),
                tiny_request,
                max_concurrency=2,
                priority=priority,
            )
            start = anyio.current_time()
            await scheduler.run()
            return anyio.current_time() - start

        result = virtual_run(main)
        assert isinstance(result, float)
        return result

    assert makespan(None) == pytest.approx(6.0)  # lower bound: 12 units of work on 2 slots
    assert makespan(dict.fromkeys(graph, 0.0)) > 6.0


def test_tracker_rejects_a_cycle_and_an_unknown_dependency():
    with pytest.raises(PlanError, match="cycle"):
        DependencyTracker(tiny_plan({"a": ("b",), "b": ("a",)}))
    with pytest.raises(PlanError, match="unknown prompt 'ghost'"):
        DependencyTracker(tiny_plan({"a": ("ghost",)}))


def test_tracker_page_states_and_release_of_a_failed_prompt():
    plan, _ = shop_setup()
    tracker = DependencyTracker(plan)
    page = plan.page("module:shop.catalog")
    state = tracker.pages[page.id]
    assert state.prompts_total == len(page.prompts)
    assert state.pending_analyses == {p for p in page.prompts if p.startswith("analysis:")}
    assert "module:shop.pricing" in state.unmet_page_deps
    work = list(tracker.initially_ready())
    while work:
        prompt_id = work.pop(0)
        if prompt_id == "module:shop.pricing":
            continue  # held back: module:shop.catalog must keep waiting for it
        released = tracker.settle(prompt_id, failed=prompt_id.startswith("analysis:shop.catalog"))
        work.extend(released.prompts)
    assert tracker.pending("module:shop.catalog") and not tracker.pending("analysis:shop.catalog#1")
    assert not state.pending_analyses
    assert state.failed == [p for p in page.prompts if p.startswith("analysis:shop.catalog")]
    # The module prompt still waits for module:shop.pricing, whose page is not settled.
    assert not state.ready
    assert tracker.failed_inputs("module:shop.catalog") == tuple(state.failed)


# --- retry policy (pure) --------------------------------------------------------------------------------


def test_retry_policy_allowlist_backoff_and_retry_after():
    policy = RetryPolicy(max_retries=3, base_delay=1.0, max_delay=5.0, jitter=0.5)
    assert is_transient(TransientBackendError("529 overloaded"))
    assert is_transient(ContractViolationError("truncated"))
    assert not is_transient(AuthenticationError("401"))
    assert not is_transient(BackendError("400 bad request"))
    assert not is_transient(ValueError("a bug"))
    assert may_retry(TransientBackendError("x"), 2, policy)
    assert not may_retry(TransientBackendError("x"), 3, policy)
    assert not may_retry(BackendError("x"), 0, policy)

    no_jitter = [backoff_delay(n, policy, lambda: 0.0) for n in range(1, 6)]
    assert no_jitter == [1.0, 2.0, 4.0, 5.0, 5.0]
    assert backoff_delay(3, policy, lambda: 0.999) == pytest.approx(4.0 * 0.5005)

    limited = TransientBackendError("429", retry_after=30)
    assert retry_delay(limited, 1, policy, lambda: 0.0) == 30.0
    assert retry_at(100.0, limited, 1, policy, lambda: 0.0) == 130.0
    assert retry_at(100.0, TransientBackendError("500"), 2, policy, lambda: 0.0) == 102.0
    assert retry_delay(TransientBackendError("429", retry_after=10**6), 1, policy, lambda: 0.0) == 600.0
    # A broken answer is asked again at once: nothing is overloaded.
    assert retry_delay(ContractViolationError("not JSON"), 3, policy, lambda: 0.0) == 0.0


# --- retries in a run -----------------------------------------------------------------------------------


def test_retry_after_is_honoured_for_the_prompt_and_pauses_every_request():
    graph = {"a": (), "b": (), "c": (), "d": ()}
    backend = ScriptedBackend(script={"a": [TransientBackendError("429 rate limited", retry_after=30)]})

    async def main() -> float:
        scheduler = PageGenerationScheduler(
            tiny_plan(graph), backend, MemoryAnswerStore(), tiny_request, max_concurrency=1
        )
        result = await scheduler.run()
        assert not result.failures and result.stats.retries == 1
        return anyio.current_time()

    virtual_run(main)
    first_a, second_a = (c for c in backend.calls if c.prompt_id == "a")
    assert first_a.end is not None
    assert second_a.start >= first_a.end + 30
    # Every request after the 429 waited too: the limit is the account's, not the prompt's.
    later = [c for c in backend.calls if c.start > first_a.start and c is not second_a]
    assert later and all(c.start >= first_a.end + 30 for c in later)


def test_retries_stop_at_the_cap_and_the_dependents_still_run():
    graph = {"a": (), "b": ("a",), "c": ("b",)}
    backend = ScriptedBackend(
        default=lambda r: TransientBackendError("500 server error") if r.prompt_id == "a" else None  # type: ignore[arg-type,return-value]
    )
    scheduler = PageGenerationScheduler(
        tiny_plan(graph), backend, MemoryAnswerStore(), tiny_request, max_retries=2, failure_threshold=100
    )
    result = virtual_run(scheduler.run)
    assert [c.prompt_id for c in backend.calls].count("a") == 3  # first attempt + 2 retries
    assert result.failures == {"a": "500 server error (after 3 attempts)"}
    assert result.stats.retries == 2 and result.stats.failures == 1
    assert set(result.answers) == {"b", "c"}  # released: they ran with what they had
    assert result.missing_inputs == {"b": ("a",)}
    # Backoff between the attempts grew (0.5 s, then 1 s, less up to a quarter of jitter).
    starts = [c.start for c in backend.calls if c.prompt_id == "a"]
    gaps = [later - earlier - 1.0 for earlier, later in itertools.pairwise(starts)]
    assert 0.375 <= gaps[0] <= 0.5 and 0.75 <= gaps[1] <= 1.0


def test_a_broken_answer_is_retried_and_only_the_good_one_is_cached(tmp_path):
    graph = {"a": ()}
    backend = ScriptedBackend(script={"a": ["not json", '{"text": 1}']})
    cache = ResponseCache(tmp_path)
    scheduler = PageGenerationScheduler(tiny_plan(graph), backend, cache, tiny_request)
    result = virtual_run(scheduler.run)
    assert result.answers == {"a": {"text": "<a given []>"}}
    assert result.stats.retries == 2 and result.stats.failed_requests == 2
    [entry] = cache_files(tmp_path)
    assert json.loads(entry.read_text())["text"] == '{"text": "<a given []>"}'


def test_a_non_transient_error_fails_the_prompt_without_retry():
    backend = ScriptedBackend(script={"a": [BackendError("400 invalid request")]})
    scheduler = PageGenerationScheduler(tiny_plan({"a": ()}), backend, MemoryAnswerStore(), tiny_request)
    result = virtual_run(scheduler.run)
    assert len(backend.calls) == 1
    assert result.failures == {"a": "400 invalid request (after 1 attempt)"}


# --- stopping -------------------------------------------------------------------------------------------


def test_failure_threshold_stops_the_run_keeping_what_was_answered(tmp_path):
    plan, builder = shop_setup()
    healthy = 5

    def outage(request: CompletionRequest) -> Outcome | None:  # type: ignore[return]
        if len(backend.calls) > healthy:
            return TransientBackendError("529 overloaded", retry_after=2)
        return None

    backend = ScriptedBackend(default=outage)  # type: ignore[arg-type]
    cache = ResponseCache(tmp_path)
    scheduler = PageGenerationScheduler(plan, backend, cache, builder, max_concurrency=1, failure_threshold=4)
    with pytest.raises(RunAbortedError) as caught:
        virtual_run(scheduler.run)
    message = str(caught.value)
    assert "stopped after 4 failed requests in a row (llmdocs_failure_threshold = 4)" in message
    assert "4x TransientBackendError" in message and "529 overloaded" in message
    assert f"{healthy} of {len(plan.prompts)} prompts were answered" in message
    assert len(backend.calls) == healthy + 4  # nothing was sent after the threshold
    assert backend.closed
    assert len(cache_files(tmp_path)) == healthy

    # The next run sends only what is missing.
    again = ScriptedBackend()
    result = virtual_run(PageGenerationScheduler(plan, again, cache, builder).run)
    assert not result.failures
    assert result.stats.cache_hits == healthy
    assert len(again.calls) == len(plan.prompts) - healthy


def test_a_burst_of_429s_at_high_concurrency_is_one_incident_not_a_run_of_failures():
    graph = {f"p{i}": () for i in range(12)}
    burst = {f"p{i}": [TransientBackendError("429 rate limited", retry_after=5)] for i in range(8)}
    backend = ScriptedBackend(script=burst)
    scheduler = PageGenerationScheduler(
        tiny_plan(graph), backend, MemoryAnswerStore(), tiny_request, max_concurrency=8, failure_threshold=3
    )
    result = virtual_run(scheduler.run)
    assert not result.failures and len(result.answers) == 12
    assert result.stats.failed_requests == 8 and result.stats.retries == 8
    # Everyone waited for the retry-after (sent at 0, failed at 1, so not before 6).
    assert all(c.start >= 6.0 for c in backend.calls[8:])


def test_failures_of_requests_sent_one_after_another_do_count():
    graph = {f"p{i}": () for i in range(12)}
    backend = ScriptedBackend(default=lambda r: TransientBackendError("429 rate limited", retry_after=5))
    scheduler = PageGenerationScheduler(
        tiny_plan(graph), backend, MemoryAnswerStore(), tiny_request, max_concurrency=8, failure_threshold=3
    )
    with pytest.raises(RunAbortedError, match="3 failed requests in a row"):
        virtual_run(scheduler.run)
    # Each wave of requests in flight together counts once: three waves of eight, then the run stops.
    assert len(backend.calls) == 3 * 8
    assert sorted({c.start for c in backend.calls}) == [0.0, 6.0, 12.0]


def test_a_refused_api_key_stops_the_run_at_once():
    plan, builder = shop_setup()
    backend = ScriptedBackend(default=lambda r: AuthenticationError("401: invalid x-api-key"))
    scheduler = PageGenerationScheduler(plan, backend, MemoryAnswerStore(), builder, max_concurrency=3)
    with pytest.raises(AuthenticationError, match="401"):
        virtual_run(scheduler.run)
    assert len(backend.calls) <= 3  # the requests already in flight, no retries, nothing after
    assert scheduler.stats.retries == 0


def test_cancellation_in_the_middle_leaves_a_consistent_cache_and_the_next_run_resumes(tmp_path):
    plan, builder = shop_setup()
    cache = ResponseCache(tmp_path)
    stop_after = 7

    async def interrupted() -> None:
        with anyio.CancelScope() as scope:

            def progress(stats: RunStats) -> None:
                if stats.done >= stop_after:
                    scope.cancel()

            scheduler = PageGenerationScheduler(
                plan, ScriptedBackend(), cache, builder, max_concurrency=3, on_progress=progress
            )
            await scheduler.run()
        assert scope.cancelled_caught

    virtual_run(interrupted)
    files = cache_files(tmp_path)
    assert stop_after <= len(files) < len(plan.prompts)
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]
    for path in files:
        entry = json.loads(path.read_text())
        assert cache.get(entry["key"]) is not None

    resumed = ScriptedBackend()
    result = virtual_run(PageGenerationScheduler(plan, resumed, cache, builder).run)
    assert result.stats.cache_hits == len(files)
    assert len(resumed.calls) == len(plan.prompts) - len(files)
    fresh = virtual_run(PageGenerationScheduler(plan, ScriptedBackend(), MemoryAnswerStore(), builder).run)
    assert result.answers == fresh.answers


# --- rate limits ----------------------------------------------------------------------------------------


def _window_max(events: list[tuple[float, int]]) -> int:
    """Largest sum of amounts within any 60-second window (t - 60, t]."""
    return max(sum(a for s, a in events if t - 60 < s <= t) for t, _ in events)


def test_request_and_token_limits_are_never_exceeded():
    plan, builder = shop_setup()
    limits = RateLimits(requests_per_minute=6, input_tokens_per_minute=6000, output_tokens_per_minute=12000)
    backend = ScriptedBackend(latency=lambda r: 0.5)

    async def main() -> float:
        scheduler = PageGenerationScheduler(
            plan, backend, MemoryAnswerStore(), builder, max_concurrency=8, rate_limits=limits
        )
        result = await scheduler.run()
        assert not result.failures
        assert result.stats.rate_limit_wait > 0
        return anyio.current_time()

    elapsed = virtual_run(main)
    assert isinstance(elapsed, float)
    requests = [(c.start, 1) for c in backend.calls]
    inputs = [(c.start, c.usage.input_tokens) for c in backend.calls if c.usage]
    outputs = [(c.start, c.usage.output_tokens) for c in backend.calls if c.usage]
    assert _window_max(requests) <= 6
    assert _window_max(inputs) <= 6000
    assert _window_max(outputs) <= 12000
    # The limits bound the run: without them it would take a few seconds.
    assert elapsed > 60 * (len(plan.prompts) // 6 - 1)


def test_the_limiter_learns_a_lower_limit_and_waits_for_an_exhausted_remainder():
    graph = {f"p{i}": () for i in range(6)}
    reported = RateLimitInfo(requests_limit=2, requests_remaining=5, reset_after=60)

    def answer(request: CompletionRequest) -> Outcome:
        text = json.dumps({"text": request.user})
        return Completion(text=text, model="m", rate_limit=reported)

    backend = ScriptedBackend(default=answer)
    scheduler = PageGenerationScheduler(
        tiny_plan(graph), backend, MemoryAnswerStore(), tiny_request, max_concurrency=1
    )
    virtual_run(scheduler.run)
    # Nothing configured, but the service said 2 per minute: p0 and p1 in the first minute, then p2...
    starts = [(c.start, 1) for c in backend.calls]
    assert _window_max(starts) <= 2
    assert backend.calls[-1].start >= 120


def test_limiter_delay_is_exact_on_a_fake_clock():
    class FakeClock:
        def __init__(self) -> None:
            self.time = 0.0

        def now(self) -> float:
            return self.time

        async def sleep(self, seconds: float) -> None:
            self.time += seconds

    clock = FakeClock()
    limiter = RateLimiter(RateLimits(input_tokens_per_minute=1000), clock)

    async def admit(tokens: int) -> float:
        await limiter.acquire(Cost(1, tokens, 0))
        return clock.time

    assert anyio.run(admit, 600) == 0.0
    clock.time = 10.0
    assert anyio.run(admit, 300) == 10.0
    clock.time = 20.0
    # 900 used; 400 more fit only once the first 600 leave the window at t = 60.
    assert limiter.delay(Cost(1, 400, 0), 20.0) == pytest.approx(40.0)
    assert anyio.run(admit, 400) == pytest.approx(60.0)
    # A request larger than the limit goes alone once the window is empty (t = 120 after the last one).
    assert limiter.delay(Cost(1, 5000, 0), 60.0) == pytest.approx(60.0)
    limiter.pause(100)
    assert limiter.delay(Cost(1, 1, 0), 60.0) == pytest.approx(100.0)


def test_limiter_waits_for_the_reset_of_a_remainder_the_service_reported():
    class FakeClock:
        time = 50.0

        def now(self) -> float:
            return self.time

        async def sleep(self, seconds: float) -> None:
            self.time += seconds

    clock = FakeClock()
    limiter = RateLimiter(RateLimits(), clock)
    limiter.observe(RateLimitInfo(requests_remaining=0, input_tokens_remaining=100, reset_after=20))
    assert limiter.delay(Cost(1, 0, 0), 50.0) == pytest.approx(20.0)
    assert limiter.delay(Cost(0, 50, 0), 50.0) == 0.0
    assert limiter.delay(Cost(0, 200, 0), 50.0) == pytest.approx(20.0)
    assert limiter.delay(Cost(1, 200, 0), 70.0) == 0.0  # reset: the service's counts no longer apply
    limiter.observe(RateLimitInfo(retry_after=7))
    assert limiter.delay(Cost(0, 0, 0), 50.0) == pytest.approx(7.0)


# --- pages, progress, summary ---------------------------------------------------------------------------


def test_each_page_is_rendered_once_as_soon_as_its_prompts_have_settled():
    plan, builder = shop_setup()
    backend = ScriptedBackend(latency=lambda r: 5.0 if r.kind == "index" else 1.0)
    rendered_at: dict[str, float] = {}

    def render(page: Page, view: object) -> str:
        rendered_at[page.id] = anyio.current_time()
        assert all(p in view.answers for p in page.prompts)  # type: ignore[attr-defined]
        return page.id

    renderer = PageRenderer(render)
    scheduler = PageGenerationScheduler(
        plan, backend, MemoryAnswerStore(), builder, max_concurrency=4, renderer=renderer
    )
    virtual_run(scheduler.run)
    assert set(renderer.rendered) == {p.id for p in plan.pages}
    ends = {c.prompt_id: c.end for c in backend.calls}
    for page in plan.pages:
        assert rendered_at[page.id] == max(ends[p] for p in page.prompts)
        assert scheduler.tracker.pages[page.id].written
    assert min(rendered_at.values()) < max(ends.values())  # pages did not wait for the end of the run


@pytest.mark.parametrize(("y_latency", "renderings"), [(5.0, 2), (0.5, 1)])
def test_a_page_showing_an_answer_it_does_not_wait_for_is_rendered_again_once_it_arrives(
    y_latency, renderings
):
    # Page x lists the summary of y (a related page), but prompt x does not depend on prompt y.
    plan = tiny_plan({"x": (), "y": ()})
    backend = ScriptedBackend(latency=lambda r: y_latency if r.prompt_id == "y" else 1.0)

    def render(page: Page, view: RunView) -> str:
        own = view.answers.get(page.name, {}).get("text")
        related = view.answers.get("y" if page.name == "x" else "x", {}).get("text")
        return f"{own} | related: {related}"

    renderer = PageRenderer(render)
    scheduler = PageGenerationScheduler(plan, backend, MemoryAnswerStore(), tiny_request, renderer=renderer)
    virtual_run(scheduler.run)
    assert renderer.rendered["page:x"] == "<x given []> | related: <y given []>"
    assert renderer.renderings["page:x"] == renderings
    assert renderer.provisional == ()


def test_a_batching_backend_asking_for_huge_concurrency_gets_every_ready_prompt_at_once():
    graph = {f"p{i}": () for i in range(5)}
    backend = ScriptedBackend()
    scheduler = PageGenerationScheduler(
        tiny_plan(graph), backend, MemoryAnswerStore(), tiny_request, max_concurrency=100_000
    )

    async def main() -> float:
        await scheduler.run()
        return anyio.current_time()

    assert virtual_run(main) == 1.0  # all five at once
    assert backend.max_in_flight == 5


def test_progress_counts_and_the_summary_line():
    plan, builder = shop_setup()
    seen: list[tuple[int, int, int]] = []
    backend = ScriptedBackend(script={"index": [ContractViolationError("truncated")]})
    scheduler = PageGenerationScheduler(
        plan,
        backend,
        MemoryAnswerStore(),
        builder,
        on_progress=lambda s: seen.append((s.done, s.total, s.retries)),
    )
    result = virtual_run(scheduler.run)
    assert seen[0] == (0, len(plan.prompts), 0)
    assert seen[-1] == (len(plan.prompts), len(plan.prompts), 1)
    assert [d for d, _, _ in seen] == sorted(d for d, _, _ in seen)
    stats = result.stats
    assert stats.usage_by_model == {"model-x": stats.usage}
    line = format_summary(stats)
    assert f"{stats.sent} prompts sent, 0 from cache" in line
    assert f"tokens {stats.usage.input_tokens:,} in / {stats.usage.output_tokens:,} out" in line
    assert "no price for model-x" in line and "0 failed, 1 retries" in line
    stats.usage_by_model = {"claude-haiku-4-5": Usage(1_000_000, 1_000_000)}
    cost, unknown = run_cost(stats)
    assert cost > 0 and unknown == []
    assert f"cost ${cost:.2f};" in format_summary(stats)
    stats.batch_usage_by_model = dict(stats.usage_by_model)
    both, _ = run_cost(stats)
    assert cost < both < 2 * cost  # the same tokens again, at the batch discount


def test_a_second_run_serves_every_prompt_from_the_cache(tmp_path):
    plan, builder = shop_setup()
    cache = ResponseCache(tmp_path)
    first = ScriptedBackend()
    virtual_run(PageGenerationScheduler(plan, first, cache, builder).run)
    second = ScriptedBackend()
    result = virtual_run(PageGenerationScheduler(plan, second, cache, builder).run)
    assert second.calls == []
    assert result.stats.cache_hits == len(plan.prompts) and result.stats.sent == 0
