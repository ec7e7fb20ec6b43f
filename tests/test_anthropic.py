"""The ``anthropic`` backend through the real SDK over HTTP, against the loopback Messages API server.

Every build points ``ANTHROPIC_BASE_URL`` at a server on 127.0.0.1 and sets a dummy key: nothing here can
reach the internet, and nothing here is mocked below the HTTP socket.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import anyio
import pytest
from conftest import report_of, warnings_of
from sphinx.errors import ExtensionError

from sphinxcontrib_llmdocs.config import LlmdocsConfig
from sphinxcontrib_llmdocs.errors import (
    AuthenticationError,
    BackendError,
    ContractViolationError,
    InvalidConfigError,
    PromptRefusedError,
    TransientBackendError,
)
from sphinxcontrib_llmdocs.llm import choose_backend
from sphinxcontrib_llmdocs.llm.anthropic_backend import (
    AnthropicBackend,
    rate_limit_from_headers,
    retry_after_from_headers,
)
from sphinxcontrib_llmdocs.llm.cache_only import CacheOnlyBackend
from sphinxcontrib_llmdocs.llm.offline import OfflineBackend
from sphinxcontrib_llmdocs.llm.protocol import CompletionRequest
from sphinxcontrib_llmdocs.llm.schemas import ModuleResponse
from sphinxcontrib_llmdocs.testing import REFUSAL_REASON, Fault, LoopbackMessagesServer

DUMMY_KEY = "sk-ant-DUMMY-loopback-key-7f3a9c"
NOTE = "(Written through the loopback Messages API.)"
PAGES = 7  # pages of tests/roots/test-basic
CART_PAGE = "page prose for module `shop.cart`"


@pytest.fixture
def loopback(monkeypatch):
    with LoopbackMessagesServer(api_key=DUMMY_KEY, note=NOTE) as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", DUMMY_KEY)
        yield server


def message_posts(server: LoopbackMessagesServer) -> list:
    return server.requests_to("/v1/messages")


def html_pages(app) -> list[Path]:
    return sorted((Path(app.outdir) / "llmdocs").rglob("*.html"))


# -- a whole build ---------------------------------------------------------------------------------------


def test_build_writes_every_page_from_model_answers(project, build, loopback):
    srcdir = project("basic")
    app = build(srcdir, llmdocs_backend="anthropic")
    assert warnings_of(app) == ""
    report = report_of(app)
    assert report["backend"] == "anthropic"
    assert report["prompts"]["sent"] == report["prompts"]["total"] == len(message_posts(loopback))
    assert report["prompts"]["total"] == report_total_of_basic()
    assert report["prompts"]["offline"] == report["prompts"]["failed"] == 0
    pages = html_pages(app)
    assert len(pages) == PAGES
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert NOTE in text, f"{page} holds no model prose"
        assert "written by a language model (claude-" in text

    for request in message_posts(loopback):
        body = request.body
        assert request.headers["authorization"] == f"Bearer {DUMMY_KEY}"
        assert body["system"][0]["cache_control"] == {"type": "ephemeral"}
        assert body["output_config"]["format"]["type"] == "json_schema"
        assert body["model"] in ("claude-sonnet-4-5", "claude-haiku-4-5")
    # Every prompt after the first of a model reads the shared system prompt from the prompt cache.
    assert report["tokens"]["cache_read"] > 0
    assert report["tokens"]["input"] > 0 and report["tokens"]["output"] > 0

    again = build(srcdir, llmdocs_backend="anthropic")
    assert report_of(again)["prompts"]["sent"] == 0
    assert len(message_posts(loopback)) == report["prompts"]["total"]


def test_dummy_key_is_in_no_file_log_report_or_page(project, build, loopback, caplog):
    caplog.set_level(logging.DEBUG)
    srcdir = project("basic")
    loopback.fail_next(Fault.rate_limit)
    loopback.fail_next(Fault.refusal, match=CART_PAGE)
    app = build(srcdir, llmdocs_backend="anthropic")
    batch = build(project("basic", "batch"), llmdocs_backend="anthropic-batch")
    # The key did travel: the server saw it on every request.
    assert all(DUMMY_KEY in r.headers.get("authorization", "") for r in loopback.requests)

    searched = 0
    for root in (srcdir, Path(batch.srcdir)):
        for path in root.rglob("*"):
            if path.is_file():
                assert DUMMY_KEY.encode() not in path.read_bytes(), path
                searched += 1
    assert searched > 50
    assert list(srcdir.rglob("llmdocs-report.json")) and list(srcdir.rglob("*.myst.txt"))
    assert list((Path(batch.doctreedir) / "llmdocs" / "cache").rglob("*.json"))
    for stream in (app._status, app._warning, batch._status, batch._warning):
        assert DUMMY_KEY not in stream.getvalue()
    assert "declined to answer" in warnings_of(app)
    assert caplog.records and DUMMY_KEY not in caplog.text


def test_without_a_key_auto_builds_offline_and_says_why_in_one_line(project, build):
    app = build(project("basic"))
    status = app._status.getvalue()
    lines = [line for line in status.splitlines() if "no API key in $ANTHROPIC_API_KEY" in line]
    assert len(lines) == 1
    assert "offline writer" in lines[0]
    assert report_of(app)["backend"] == "offline"


# -- faults, one build each ------------------------------------------------------------------------------

RECOVERED = [
    (Fault.rate_limit, 2),
    (Fault.overloaded, 1),
    (Fault.server_error, 1),
    (Fault.slow, 1),
    (Fault.drop, 1),
    (Fault.malformed_body, 1),
    (Fault.malformed_answer, 1),
]


@pytest.mark.parametrize(("fault", "times"), RECOVERED, ids=[f.value for f, _ in RECOVERED])
def test_transient_fault_is_retried_and_the_build_succeeds(project, build, loopback, fault, times):
    loopback.slow_seconds = 2.5
    loopback.fail_next(fault, times=times, match=CART_PAGE)
    app = build(project("basic"), llmdocs_backend="anthropic", llmdocs_timeout=1.0)
    assert warnings_of(app) == ""
    report = report_of(app)
    assert report["prompts"]["failed"] == 0
    assert report["prompts"]["retries"] == times
    cart_requests = [r for r in message_posts(loopback) if CART_PAGE in str(r.body["messages"])]
    assert len(cart_requests) == times + 1
    assert NOTE in (Path(app.outdir) / "llmdocs" / "shop" / "cart.html").read_text(encoding="utf-8")


def test_persistent_rate_limit_fails_the_prompt_with_the_api_message(project, build, loopback):
    loopback.fail_next(Fault.rate_limit, times=50, match=CART_PAGE)
    app = build(project("basic"), llmdocs_backend="anthropic", llmdocs_max_retries=2)
    report = report_of(app)
    assert report["prompts"]["failed"] == 1
    assert "429 rate_limit_error" in report["failures"]["module:shop.cart"]
    warnings = warnings_of(app)
    assert "llmdocs/shop/cart" in warnings and "[llmdocs.prompt_failed]" in warnings
    assert len([r for r in message_posts(loopback) if CART_PAGE in str(r.body)]) == 3


def test_max_tokens_is_retried_once_with_a_larger_limit(project, build, loopback):
    loopback.fail_next(Fault.max_tokens, match=CART_PAGE)
    app = build(project("basic"), llmdocs_backend="anthropic")
    assert report_of(app)["prompts"]["failed"] == 0
    limits = [r.body["max_tokens"] for r in message_posts(loopback) if CART_PAGE in str(r.body)]
    assert limits == [2048, 4096]


def test_max_tokens_twice_fails_the_prompt(project, build, loopback):
    loopback.fail_next(Fault.max_tokens, times=50, match=CART_PAGE)
    app = build(project("basic"), llmdocs_backend="anthropic", llmdocs_max_retries=1)
    report = report_of(app)
    assert "truncated at max_tokens" in report["failures"]["module:shop.cart"]
    assert "[llmdocs.prompt_failed]" in warnings_of(app)
    # The page still renders, with its static sections.
    assert "Imports" in (Path(app.outdir) / "llmdocs" / "shop" / "cart.html").read_text(encoding="utf-8")


def test_refusal_fails_the_prompt_with_the_models_reason_and_is_not_retried(project, build, loopback):
    loopback.fail_next(Fault.refusal, times=50, match=CART_PAGE)
    app = build(project("basic"), llmdocs_backend="anthropic")
    report = report_of(app)
    assert REFUSAL_REASON in report["failures"]["module:shop.cart"]
    assert REFUSAL_REASON in warnings_of(app)
    assert len([r for r in message_posts(loopback) if CART_PAGE in str(r.body)]) == 1


def test_refused_key_stops_the_run_at_once_saying_how_to_set_it(project, build, loopback):
    loopback.fail_next(Fault.unauthorized, times=1000)
    with pytest.raises(ExtensionError) as info:
        build(project("basic"), llmdocs_backend="anthropic", llmdocs_max_concurrency=2)
    message = str(info.value)
    assert "ANTHROPIC_API_KEY" in message and "export ANTHROPIC_API_KEY=" in message
    assert DUMMY_KEY not in message
    # "At once": the run stopped with the first refusal; only prompts already on their way went out.
    assert len(message_posts(loopback)) <= 4 < report_total_of_basic()


def test_explicit_anthropic_without_a_key_says_how_to_set_it(project, build, monkeypatch):
    monkeypatch.setenv("MY_CLAUDE_KEY", "")
    with pytest.raises(ExtensionError) as info:
        build(project("basic"), llmdocs_backend="anthropic", llmdocs_api_key_env="MY_CLAUDE_KEY")
    assert "MY_CLAUDE_KEY" in str(info.value)


def report_total_of_basic() -> int:
    return 13  # prompts of tests/roots/test-basic (checked by the first test of this module)


# -- the backend on its own ------------------------------------------------------------------------------


def config_for(server: LoopbackMessagesServer, **environ: str) -> LlmdocsConfig:
    env = {"ANTHROPIC_API_KEY": DUMMY_KEY, "ANTHROPIC_BASE_URL": server.url, **environ}
    return LlmdocsConfig(packages=(), environ=env, timeout=2.0)


def module_request(user: str = "Task: module `m`\n<evidence>\n{}\n</evidence>\n", **kw) -> CompletionRequest:
    return CompletionRequest(
        prompt_id="module:m",
        kind="module",
        model="claude-sonnet-4-5",
        system="You write architecture documentation.",
        user=user,
        schema=ModuleResponse,
        **kw,
    )


def test_completion_reports_usage_and_rate_limit_headers():
    with LoopbackMessagesServer(api_key=DUMMY_KEY) as server:
        backend = AnthropicBackend(config_for(server))

        async def main():
            try:
                return await backend.complete(module_request())
            finally:
                await backend.aclose()

        completion = anyio.run(main)
    assert completion.from_model and completion.stop_reason == "end_turn"
    assert completion.usage.input_tokens > 0 and completion.usage.cache_creation_input_tokens > 0
    info = completion.rate_limit
    assert info is not None
    assert info.requests_limit == 4000 and info.requests_remaining == 3999
    assert info.output_tokens_limit == 80000
    assert 0 < info.reset_after <= 30


def test_shared_prefix_is_its_own_cached_block():
    shared = "Context of module m, shared by all its prompts. " * 40
    with LoopbackMessagesServer(api_key=DUMMY_KEY) as server:
        backend = AnthropicBackend(config_for(server))

        async def main():
            first = await backend.complete(module_request(shared + "first", shared_prefix_chars=len(shared)))
            second = await backend.complete(
                module_request(shared + "second", shared_prefix_chars=len(shared))
            )
            await backend.aclose()
            return first, second

        first, second = anyio.run(main)
        content = server.requests_to("/v1/messages")[0].body["messages"][0]["content"]
    assert [block.get("cache_control") for block in content] == [{"type": "ephemeral"}, None]
    assert content[0]["text"] == shared
    assert second.usage.cache_read_input_tokens >= first.usage.cache_creation_input_tokens > len(shared) // 8


@pytest.mark.parametrize(
    ("fault", "error", "text"),
    [
        (Fault.rate_limit, TransientBackendError, "429"),
        (Fault.overloaded, TransientBackendError, "529 overloaded_error"),
        (Fault.server_error, TransientBackendError, "500"),
        (Fault.slow, TransientBackendError, "timeout"),
        (Fault.drop, TransientBackendError, "connection"),
        (Fault.malformed_body, ContractViolationError, "not valid JSON"),
        (Fault.refusal, PromptRefusedError, REFUSAL_REASON),
        (Fault.context_window, BackendError, "context window"),
        (Fault.unauthorized, AuthenticationError, "export ANTHROPIC_API_KEY="),
    ],
    ids=lambda v: v.value if isinstance(v, Fault) else "",
)
def test_each_fault_maps_to_its_error(fault, error, text):
    with LoopbackMessagesServer(api_key=DUMMY_KEY, retry_after=3, slow_seconds=2.0) as server:
        config = LlmdocsConfig(
            packages=(),
            environ={"ANTHROPIC_API_KEY": DUMMY_KEY, "ANTHROPIC_BASE_URL": server.url},
            timeout=0.6,
        )
        backend = AnthropicBackend(config)
        server.fail_next(fault)

        async def main():
            try:
                await backend.complete(module_request())
            finally:
                await backend.aclose()

        with pytest.raises(error) as info:
            anyio.run(main)
    assert text in str(info.value)
    assert DUMMY_KEY not in str(info.value)
    if fault is Fault.rate_limit:
        assert info.value.retry_after == 3


def test_unknown_model_is_a_config_error(monkeypatch):
    with LoopbackMessagesServer(api_key=DUMMY_KEY) as server:
        backend = AnthropicBackend(config_for(server, ANTHROPIC_BASE_URL=server.url + "/nowhere"))

        async def main():
            try:
                await backend.complete(module_request())
            finally:
                await backend.aclose()

        with pytest.raises(InvalidConfigError) as info:
            anyio.run(main)
    assert "llmdocs_model" in str(info.value)


def test_rate_limit_headers_parse_with_a_fixed_clock():
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    headers = {
        "anthropic-ratelimit-requests-limit": "50",
        "anthropic-ratelimit-requests-remaining": "0",
        "anthropic-ratelimit-requests-reset": "2026-01-01T12:00:20Z",
        "anthropic-ratelimit-input-tokens-reset": "2026-01-01T12:00:05Z",
        "retry-after": "12",
    }
    info = rate_limit_from_headers(headers, now)
    assert info is not None
    assert (info.requests_limit, info.requests_remaining, info.reset_after, info.retry_after) == (
        50,
        0,
        5,
        12,
    )
    assert rate_limit_from_headers({}, now) is None
    assert retry_after_from_headers({"retry-after": "Thu, 01 Jan 2026 12:00:30 GMT"}, now) == 30
    assert retry_after_from_headers({"retry-after-ms": "1500"}, now) == 1.5


def test_choose_backend_auto_and_explicit(tmp_path):
    with_key = LlmdocsConfig(packages=(), environ={"ANTHROPIC_API_KEY": DUMMY_KEY})
    choice = choose_backend(with_key)
    assert isinstance(choice.backend, AnthropicBackend) and choice.backend.name == "anthropic"
    assert DUMMY_KEY not in choice.reason and "$ANTHROPIC_API_KEY" in choice.reason
    anyio.run(choice.backend.aclose)

    no_key = LlmdocsConfig(packages=(), environ={})
    assert isinstance(choose_backend(no_key).backend, OfflineBackend)
    rtd = LlmdocsConfig(packages=(), environ={"READTHEDOCS": "True"})
    assert isinstance(choose_backend(rtd).backend, CacheOnlyBackend)

    batch = LlmdocsConfig(packages=(), backend="anthropic-batch", environ={"ANTHROPIC_API_KEY": DUMMY_KEY})
    chosen = choose_backend(batch, state_dir=tmp_path).backend
    assert chosen.name == "anthropic-batch"
    anyio.run(chosen.aclose)
    with pytest.raises(AuthenticationError, match=r"export ANTHROPIC_API_KEY="):
        choose_backend(LlmdocsConfig(packages=(), backend="anthropic", environ={}))


def test_timeout_setting_is_validated(tmp_path):
    with pytest.raises(InvalidConfigError, match="llmdocs_timeout"):
        LlmdocsConfig.from_values({"llmdocs_packages": ["."], "llmdocs_timeout": 0}, tmp_path)
    config = LlmdocsConfig.from_values({"llmdocs_packages": ["."], "llmdocs_timeout": 5}, tmp_path)
    assert config.timeout == 5.0


def test_count_tokens_through_the_backend():
    with LoopbackMessagesServer(api_key=DUMMY_KEY) as server:
        backend = AnthropicBackend(config_for(server))

        async def main():
            try:
                return await backend.count_tokens(module_request())
            finally:
                await backend.aclose()

        tokens = anyio.run(main)
        (sent,) = server.requests_to("/v1/messages/count_tokens")
    assert tokens > 10
    assert "max_tokens" not in sent.body and sent.body["output_config"]["format"]["type"] == "json_schema"
