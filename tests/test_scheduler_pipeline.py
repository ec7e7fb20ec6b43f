"""The scheduler inside the pipeline and a real Sphinx build: determinism, interruption, worker thread,
progress display, failures and the new settings."""

from __future__ import annotations

import asyncio
import json
import random
import signal
import threading
from io import StringIO
from pathlib import Path

import anyio
import pytest
from conftest import FAKE, warnings_of
from sphinx.errors import ExtensionError

from sphinxcontrib_llmdocs.cache import ResponseCache
from sphinxcontrib_llmdocs.config import LlmdocsConfig
from sphinxcontrib_llmdocs.errors import (
    ContractViolationError,
    InvalidConfigError,
    RunAbortedError,
    TransientBackendError,
)
from sphinxcontrib_llmdocs.llm.protocol import Completion, CompletionRequest
from sphinxcontrib_llmdocs.pipeline import generate
from sphinxcontrib_llmdocs.testing import FakeBackend

SHOP = Path(__file__).parent / "roots" / "test-basic" / "src" / "shop"
THIS = "test_scheduler_pipeline"


class JitteryBackend(FakeBackend):
    """The fake model with random latencies (a few milliseconds), recording completion order and thread."""

    def __init__(self, config: LlmdocsConfig | None = None) -> None:
        super().__init__(config)
        seed = int((config.environ if config else {}).get("LLMDOCS_TEST_SEED", "0"))
        self.random = random.Random(seed)
        self.finished: list[str] = []
        self.threads: set[str] = set()
        self.started = 0
        self.signal = signal.Signals[(config.environ if config else {}).get("LLMDOCS_TEST_SIGNAL", "SIGINT")]
        self.delay = float((config.environ if config else {}).get("LLMDOCS_TEST_DELAY", "0.005"))
        self.closed = False
        self.interrupt_at = int((config.environ if config else {}).get("LLMDOCS_TEST_INTERRUPT", "0"))
        LAST[0] = self

    async def complete(self, request: CompletionRequest) -> Completion:
        self.threads.add(threading.current_thread().name)
        self.started += 1
        if self.started == self.interrupt_at:
            # What Ctrl-C (or a cancelled CI job) does: the signal arrives while requests are in flight.
            main = threading.main_thread()
            if threading.current_thread() is main:
                signal.raise_signal(self.signal)
            else:  # the scheduler runs on a worker thread: the key press reaches the main thread
                assert main.ident is not None
                signal.pthread_kill(main.ident, self.signal)
        await anyio.sleep(self.random.random() * self.delay)
        completion = await super().complete(request)
        self.finished.append(request.prompt_id)
        return completion

    async def aclose(self) -> None:
        self.closed = True


LAST: list[JitteryBackend | None] = [None]


def jittery(config: LlmdocsConfig) -> JitteryBackend:
    return JitteryBackend(config)


class PricingFails(FakeBackend):
    """Every answer for ``module:shop.pricing`` breaks its contract."""

    async def complete(self, request: CompletionRequest) -> Completion:
        if request.prompt_id == "module:shop.pricing":
            raise ContractViolationError("module:shop.pricing: answer is not JSON")
        return await super().complete(request)


def pricing_fails(config: LlmdocsConfig) -> PricingFails:
    return PricingFails(config)


class Overloaded(FakeBackend):
    async def complete(self, request: CompletionRequest) -> Completion:
        self.requests.append(request)
        raise TransientBackendError("529 overloaded")


def overloaded(config: LlmdocsConfig) -> Overloaded:
    return Overloaded(config)


def config_for(seed: int, concurrency: int, **environ: str) -> LlmdocsConfig:
    return LlmdocsConfig.from_values(
        {
            "llmdocs_packages": [str(SHOP)],
            "llmdocs_backend": f"{THIS}:jittery",
            "llmdocs_max_concurrency": concurrency,
        },
        SHOP.parent,
        environ={"LLMDOCS_TEST_SEED": str(seed), **environ},
    )


def test_pages_are_byte_identical_whatever_order_the_answers_arrive_in(tmp_path):
    runs = []
    orders = []
    for seed, concurrency in ((1, 6), (2, 6), (3, 1)):
        generation = generate(config_for(seed, concurrency), project="shop", state_dir=tmp_path / str(seed))
        backend = LAST[0]
        assert backend is not None and not generation.result.failures
        runs.append([(p.page.docname, p.markdown) for p in generation.pages])
        orders.append(backend.finished)
    assert orders[0] != orders[1]  # the latencies did shuffle the answers
    assert runs[0] == runs[1] == runs[2]


def test_an_interrupted_build_keeps_a_consistent_cache_and_the_next_sends_only_the_rest(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        generate(config_for(1, 2, LLMDOCS_TEST_INTERRUPT="6"), project="shop", state_dir=tmp_path)
    cache_dir = tmp_path / "cache"
    files = sorted(cache_dir.rglob("*.json"))
    assert 1 <= len(files) <= 6  # what arrived before the interrupt was handled, nothing after
    assert not [p for p in cache_dir.rglob("*") if p.name.endswith(".tmp")]
    cache = ResponseCache(cache_dir)
    for path in files:
        assert cache.get(json.loads(path.read_text())["key"]) is not None

    resumed = generate(config_for(2, 2), project="shop", state_dir=tmp_path)
    stats = resumed.result.stats
    assert stats.cache_hits == len(files)
    assert stats.sent == stats.total - len(files)
    fresh = generate(config_for(3, 2), project="shop", state_dir=tmp_path / "fresh")
    assert [p.markdown for p in resumed.pages] == [p.markdown for p in fresh.pages]


def test_sigterm_stops_the_build_in_order_and_the_next_one_resumes(tmp_path):
    def unhandled(signum: int, frame: object) -> None:
        raise AssertionError("SIGTERM reached the process instead of the scheduler")

    # A safety net: without the scheduler's handler the signal would fail this test, not kill pytest.
    previous = signal.signal(signal.SIGTERM, unhandled)
    try:
        with pytest.raises(RunAbortedError, match="interrupted by SIGTERM") as caught:
            generate(
                config_for(1, 2, LLMDOCS_TEST_INTERRUPT="5", LLMDOCS_TEST_SIGNAL="SIGTERM"),
                project="shop",
                state_dir=tmp_path,
            )
        assert signal.getsignal(signal.SIGTERM) is unhandled  # the previous handler is back
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert LAST[0] is not None and LAST[0].closed
    files = sorted((tmp_path / "cache").rglob("*.json"))
    assert 1 <= len(files) <= 5  # what arrived before the signal was handled, nothing after
    assert f"{len(files)} of 13 prompts were answered and are kept in the cache" in str(caught.value)
    resumed = generate(config_for(2, 2), project="shop", state_dir=tmp_path)
    assert resumed.result.stats.sent == 13 - len(files)


def test_a_build_started_while_an_event_loop_runs_uses_a_worker_thread(tmp_path):
    async def notebook_cell() -> object:
        # A notebook runs cells inside a running loop and calls the (synchronous) build from there.
        return generate(config_for(1, 3), project="shop", state_dir=tmp_path / "nb")

    generation = asyncio.run(notebook_cell())
    backend = LAST[0]
    assert backend is not None and len(backend.threads) == 1
    assert backend.threads != {threading.current_thread().name}
    direct = generate(config_for(1, 3), project="shop", state_dir=tmp_path / "direct")
    assert LAST[0] is not None and LAST[0].threads == {threading.current_thread().name}
    assert [p.markdown for p in generation.pages] == [p.markdown for p in direct.pages]  # type: ignore[attr-defined]


def test_build_shows_progress_and_one_summary_line(project, build):
    app = build(project("basic"), llmdocs_backend=FAKE)
    status = app.status.getvalue()
    assert "llmdocs: generating... " in status
    total = len([line for line in status.splitlines() if "prompts (" in line])
    assert total >= 2  # at least the start and the end of the run
    summary = [line for line in status.splitlines() if "prompts sent," in line]
    assert len(summary) == 1
    assert "13 prompts sent, 0 from cache" in summary[0] and "tokens " in summary[0]
    assert "cost $" in summary[0] and "0 failed" in summary[0]

    again = build(app.srcdir, llmdocs_backend=FAKE)
    assert "0 prompts sent, 13 from cache" in again.status.getvalue()


def test_a_failed_prompt_warns_and_its_dependents_render_with_what_they_have(project, build):
    app = build(project("basic"), llmdocs_backend=f"{THIS}:pricing_fails", llmdocs_max_retries=1)
    warnings = warnings_of(app)
    failed = "prompt module:shop.pricing failed: module:shop.pricing: answer is not JSON (after 2 attempts)"
    assert failed in warnings
    assert (
        "llmdocs/shop/catalog.rst: WARNING: prompt module:shop.catalog was written without the answers of "
        in warnings
    )
    assert "failed prompt(s) module:shop.pricing [llmdocs.prompt_failed]" in warnings
    catalog = (Path(app.outdir) / "llmdocs" / "shop" / "catalog.html").read_text(encoding="utf-8")
    assert "Summary" in catalog


def test_too_many_failures_stop_the_build_with_one_clear_error(project, make_app):
    status = StringIO()
    srcdir = project("basic")
    with pytest.raises(ExtensionError) as caught:
        make_app(
            "html",
            srcdir=srcdir,
            status=status,
            confoverrides={
                "llmdocs_backend": f"{THIS}:overloaded",
                "llmdocs_failure_threshold": 3,
                "llmdocs_max_retries": 0,
            },
        )
    message = str(caught.value)
    assert "stopped after 3 failed requests in a row (llmdocs_failure_threshold = 3)" in message
    assert "3x TransientBackendError" in message and "529 overloaded" in message
    assert "0 prompts sent" in status.getvalue()


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"llmdocs_rate_limits": {"per_hour": 5}}, "llmdocs_rate_limits: unknown key 'per_hour'"),
        ({"llmdocs_rate_limits": {"requests_per_minute": 0}}, "llmdocs_rate_limits: requests_per_minute"),
        ({"llmdocs_rate_limits": [50]}, "llmdocs_rate_limits: expected a dict"),
        ({"llmdocs_max_retries": -1}, "llmdocs_max_retries: expected a whole number >= 0"),
        ({"llmdocs_failure_threshold": 0}, "llmdocs_failure_threshold: expected a whole number >= 1"),
        ({"llmdocs_failure_threshold": True}, "llmdocs_failure_threshold: expected a whole number >= 1"),
    ],
)
def test_bad_scheduler_settings_name_the_setting(values, expected):
    with pytest.raises(InvalidConfigError) as caught:
        LlmdocsConfig.from_values({"llmdocs_packages": [str(SHOP)], **values}, SHOP.parent)
    assert any(p.startswith(expected) for p in caught.value.problems), caught.value.problems


def test_scheduler_settings_reach_the_config():
    config = LlmdocsConfig.from_values(
        {
            "llmdocs_packages": [str(SHOP)],
            "llmdocs_rate_limits": {"requests_per_minute": 50, "output_tokens_per_minute": None},
            "llmdocs_max_retries": 0,
            "llmdocs_failure_threshold": 2,
        },
        SHOP.parent,
    )
    assert dict(config.rate_limits) == {"requests_per_minute": 50}
    assert config.max_retries == 0 and config.failure_threshold == 2


def test_ctrl_c_in_a_notebook_cancels_the_run_on_the_worker_thread(tmp_path):
    LAST[0] = None

    async def notebook_cell() -> object:
        config = config_for(1, 1, LLMDOCS_TEST_INTERRUPT="3", LLMDOCS_TEST_DELAY="0.05")
        return generate(config, project="shop", state_dir=tmp_path)

    # A plain loop, as in a notebook kernel: Ctrl-C raises KeyboardInterrupt in the main thread, which
    # waits for the worker thread running the scheduler.
    loop = asyncio.new_event_loop()
    try:
        with pytest.raises(KeyboardInterrupt):
            loop.run_until_complete(notebook_cell())
    finally:
        loop.close()
    backend = LAST[0]
    assert backend is not None and backend.closed  # the run over there ended before the interrupt returned
    assert backend.threads != {threading.current_thread().name}
    sent = len(backend.requests)
    assert sent <= 3
    anyio.run(anyio.sleep, 0.2)
    assert len(backend.requests) == sent  # and nothing is sent after it
