"""The ``anthropic-batch`` backend: Message Batches over real HTTP against the loopback server."""

from __future__ import annotations

import json
from pathlib import Path

import anyio
import anyio.lowlevel
import pytest
from conftest import report_of, warnings_of

from sphinxcontrib_llmdocs.config import LlmdocsConfig
from sphinxcontrib_llmdocs.llm.batch_backend import JOURNAL_NAME, AnthropicBatchBackend, BatchJournal
from sphinxcontrib_llmdocs.llm.prices import default_price_table
from sphinxcontrib_llmdocs.llm.protocol import CompletionRequest
from sphinxcontrib_llmdocs.llm.schemas import ModuleResponse
from sphinxcontrib_llmdocs.testing import Fault, LoopbackMessagesServer

DUMMY_KEY = "sk-ant-DUMMY-batch-key-51c0"
NOTE = "(Written through the loopback Messages API.)"
CART_PAGE = "page prose for module `shop.cart`"


@pytest.fixture
def loopback(monkeypatch):
    with LoopbackMessagesServer(api_key=DUMMY_KEY, note=NOTE) as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", DUMMY_KEY)
        yield server


def batch_entries(server: LoopbackMessagesServer) -> list[list[dict]]:
    return [r.body["requests"] for r in server.requests_to("/v1/messages/batches")]


def pages_of(app) -> dict[Path, str]:
    root = Path(app.doctreedir) / "llmdocs" / "pages"
    return {p.relative_to(root): p.read_text(encoding="utf-8") for p in root.rglob("*.txt")}


def test_batch_build_gives_the_same_pages_as_the_interactive_build(project, build, loopback):
    interactive = build(project("basic", "interactive"), llmdocs_backend="anthropic")
    sent_interactive = len(loopback.requests_to("/v1/messages"))

    batch = build(project("basic", "batch"), llmdocs_backend="anthropic-batch")
    # (A second app in one test re-registers Sphinx's nodes: those warnings are not ours.)
    assert "[llmdocs." not in warnings_of(batch)
    assert len(loopback.requests_to("/v1/messages")) == sent_interactive, "the batch build sent no message"
    assert pages_of(batch) == pages_of(interactive)
    assert len(pages_of(batch)) == 7
    assert all(NOTE in text for text in pages_of(batch).values())

    report = report_of(batch)
    assert report["backend"] == "anthropic-batch"
    assert report["prompts"]["sent"] == report["prompts"]["total"] == sent_interactive
    batches = batch_entries(loopback)
    # One batch per dependency wave: every prompt once, far fewer batches than prompts.
    assert sum(len(b) for b in batches) == report["prompts"]["total"]
    assert 1 < len(batches) < report["prompts"]["total"]
    waves = [" ".join(json.dumps(e["params"]["messages"]) for e in entries) for entries in batches]
    # The first wave holds every analysis that waits for no other analysis. With call-level facts that is
    # the cart's alone: pricing's cart_total calls Cart.lines (the cart/pricing cycle is broken by prompt
    # id, cart first), the catalog's Catalog.price calls pricing.discounted, placing's place calls
    # Cart.total. Every analysis goes out once.
    assert waves[0].count("Write the analyses of") == 1, (
        "every analysis without dependencies is ready at once"
    )
    assert "module `shop.cart`" in waves[0]
    assert sum(w.count("Write the analyses of") for w in waves) == 4
    assert "architecture overview" in waves[-1]
    assert len({e["custom_id"] for b in batches for e in b}) == report["prompts"]["total"]
    # Nothing is left in flight.
    journal = Path(batch.doctreedir) / "llmdocs" / JOURNAL_NAME
    assert json.loads(journal.read_text())["batches"] == {}


def test_errored_entry_is_resubmitted_in_the_next_batch(project, build, loopback):
    loopback.fail_next(Fault.overloaded, endpoint="batch_entry", match=CART_PAGE)
    app = build(project("basic"), llmdocs_backend="anthropic-batch")
    report = report_of(app)
    assert report["prompts"]["failed"] == 0
    cart = [
        (index, entry["custom_id"])
        for index, entries in enumerate(batch_entries(loopback))
        for entry in entries
        if CART_PAGE in json.dumps(entry["params"])
    ]
    assert len(cart) == 2
    (first, cid_a), (second, cid_b) = cart
    assert second == first + 1 and cid_a == cid_b
    assert NOTE in (Path(app.outdir) / "llmdocs" / "shop" / "cart.html").read_text(encoding="utf-8")


def test_truncated_entry_goes_again_with_a_larger_limit(project, build, loopback):
    loopback.fail_next(Fault.max_tokens, endpoint="batch_entry", match=CART_PAGE)
    app = build(project("basic"), llmdocs_backend="anthropic-batch")
    assert report_of(app)["prompts"]["failed"] == 0
    limits = [
        entry["params"]["max_tokens"]
        for entries in batch_entries(loopback)
        for entry in entries
        if CART_PAGE in json.dumps(entry["params"])
    ]
    assert limits == [2048, 4096]


# -- the backend on its own ------------------------------------------------------------------------------


def request(name: str) -> CompletionRequest:
    evidence = {"target": {"name": name, "docstring": f"Module {name}."}, "symbols": []}
    return CompletionRequest(
        prompt_id=f"module:{name}",
        kind="module",
        model="claude-sonnet-4-5",
        system="You write architecture documentation.",
        user=f"Task: module `{name}`\n<evidence>\n{json.dumps(evidence)}\n</evidence>\n",
        schema=ModuleResponse,
        evidence=evidence,
    )


def config_for(server: LoopbackMessagesServer) -> LlmdocsConfig:
    env = {"ANTHROPIC_API_KEY": DUMMY_KEY, "ANTHROPIC_BASE_URL": server.url}
    return LlmdocsConfig(packages=(), environ=env, timeout=5.0)


async def complete_all(backend: AnthropicBatchBackend, names: list[str]) -> dict[str, str]:
    answers: dict[str, str] = {}

    async def one(name: str) -> None:
        answers[name] = (await backend.complete(request(name))).text

    async with anyio.create_task_group() as tg:
        for name in names:
            tg.start_soon(one, name)
    return answers


def test_concurrent_calls_become_one_batch_polled_with_backoff(tmp_path):
    slept: list[float] = []

    async def no_wait(seconds: float) -> None:
        slept.append(seconds)
        await anyio.lowlevel.checkpoint()

    with LoopbackMessagesServer(api_key=DUMMY_KEY, batch_polls=4) as server:
        backend = AnthropicBatchBackend(
            config_for(server), state_dir=tmp_path, poll_interval=1.0, max_poll_interval=5.0, sleep=no_wait
        )

        async def main():
            try:
                answers = await complete_all(backend, ["a", "b", "c"])
                # Until the run ends (and the scheduler has cached every answer) the batch stays on record.
                assert BatchJournal(tmp_path / JOURNAL_NAME).batch_ids == backend.created_batches
                return answers
            finally:
                await backend.aclose()

        answers = anyio.run(main)
        assert len(server.requests_to("/v1/messages/batches")) == 1
        assert len(server.requests_to("/v1/messages/batches")[0].body["requests"]) == 3
    assert slept == [1.0, 2.0, 4.0, 5.0]
    for name, text in answers.items():
        assert ModuleResponse.model_validate_json(text).summary == f"Module {name}."
    assert (tmp_path / JOURNAL_NAME).is_file() and BatchJournal(tmp_path / JOURNAL_NAME).batch_ids == []


def test_interrupted_build_resumes_its_batch_instead_of_paying_twice(tmp_path):
    with LoopbackMessagesServer(api_key=DUMMY_KEY, batch_polls=10_000) as server:
        first = AnthropicBatchBackend(config_for(server), state_dir=tmp_path, poll_interval=0.05)

        async def interrupted():
            with anyio.move_on_after(0.5):
                await complete_all(first, ["a", "b"])
            await first.aclose()

        anyio.run(interrupted)
        journal = BatchJournal(tmp_path / JOURNAL_NAME)
        assert journal.batch_ids == first.created_batches and len(first.created_batches) == 1
        assert DUMMY_KEY not in (tmp_path / JOURNAL_NAME).read_text()

        # The service finishes the batch while no build runs; the next build picks it up.
        server.batches[first.created_batches[0]].polls_left = 0
        second = AnthropicBatchBackend(config_for(server), state_dir=tmp_path, poll_interval=0.05)

        async def resumed():
            try:
                return await complete_all(second, ["a", "b"])
            finally:
                await second.aclose()

        answers = anyio.run(resumed)
        assert second.created_batches == []
        assert len(server.requests_to("/v1/messages/batches")) == 1
    assert set(answers) == {"a", "b"}
    assert BatchJournal(tmp_path / JOURNAL_NAME).batch_ids == []


def test_batch_answers_are_priced_at_the_batch_discount():
    with LoopbackMessagesServer(api_key=DUMMY_KEY) as server:
        backend = AnthropicBatchBackend(config_for(server), window=0.01)

        async def main():
            try:
                return await backend.complete(request("m"))
            finally:
                await backend.aclose()

        completion = anyio.run(main)
    table = default_price_table()
    assert completion.batch and completion.usage.input_tokens > 0
    full = table.cost(completion.model, completion.usage)
    assert full is not None and full > 0
    assert table.cost(completion.model, completion.usage, batch=completion.batch) == pytest.approx(
        full * (1 - table.batch_discount)
    )
