"""The loopback Messages API server, driven by the real ``anthropic`` SDK over HTTP."""

from __future__ import annotations

import json

import anthropic
import anyio
import pytest

from sphinxcontrib_llmdocs.llm.schemas import ModuleResponse
from sphinxcontrib_llmdocs.testing import Fault, LoopbackMessagesServer, plausible_answer

KEY = "sk-ant-loopback-test"


@pytest.fixture
def server():
    with LoopbackMessagesServer(api_key=KEY) as srv:
        yield srv


def client(server: LoopbackMessagesServer, key: str = KEY) -> anthropic.AsyncAnthropic:
    return anthropic.AsyncAnthropic(api_key=key, base_url=server.url, max_retries=0, timeout=2.0)


def module_params(name: str = "pkg.mod", docstring: str = "Parse recipes.\n\nMore detail.") -> dict:
    evidence = {"target": {"name": name, "docstring": docstring}, "symbols": []}
    return {
        "model": "claude-sonnet-4-5",
        "max_tokens": 512,
        "system": [{"type": "text", "text": "You write docs.", "cache_control": {"type": "ephemeral"}}],
        "messages": [
            {
                "role": "user",
                "content": f"Task: module `{name}`\n<evidence>\n{json.dumps(evidence)}\n</evidence>\n",
            }
        ],
        "output_config": {
            "format": {"type": "json_schema", "schema": anthropic.transform_schema(ModuleResponse)}
        },
    }


def test_messages_answer_is_schema_valid_json_from_the_evidence(server):
    async def main():
        async with client(server) as sdk:
            return await sdk.messages.create(**module_params())

    message = anyio.run(main)
    answer = ModuleResponse.model_validate_json(message.content[0].text)
    assert answer.summary == "Parse recipes."
    assert message.stop_reason == "end_turn"
    assert message.usage.output_tokens > 0
    (recorded,) = server.requests_to("/v1/messages")
    assert recorded.body["model"] == "claude-sonnet-4-5"


def test_prompt_cache_is_written_once_then_read(server):
    async def main():
        async with client(server) as sdk:
            first = await sdk.messages.create(**module_params("a.one"))
            second = await sdk.messages.create(**module_params("a.two"))
            return first.usage, second.usage

    first, second = anyio.run(main)
    assert first.cache_creation_input_tokens > 0 and first.cache_read_input_tokens == 0
    assert second.cache_read_input_tokens == first.cache_creation_input_tokens
    assert second.cache_creation_input_tokens == 0


def test_wrong_key_is_refused_and_rate_limit_carries_retry_after(server):
    server.retry_after = 7

    async def main():
        async with client(server, key="sk-ant-wrong") as bad, client(server) as good:
            with pytest.raises(anthropic.AuthenticationError):
                await bad.messages.create(**module_params())
            server.fail_next(Fault.rate_limit)
            with pytest.raises(anthropic.RateLimitError) as info:
                await good.messages.create(**module_params())
            return info.value

    error = anyio.run(main)
    assert error.response.headers["retry-after"] == "7"
    assert error.response.headers["anthropic-ratelimit-requests-limit"]


def test_dropped_connection_and_slow_answer_are_connection_errors(server):
    server.slow_seconds = 2.0

    async def main():
        async with anthropic.AsyncAnthropic(
            api_key=KEY, base_url=server.url, max_retries=0, timeout=0.6
        ) as sdk:
            server.fail_next(Fault.drop)
            with pytest.raises(anthropic.APIConnectionError) as dropped:
                await sdk.messages.create(**module_params())
            server.fail_next(Fault.slow)
            with pytest.raises(anthropic.APITimeoutError):
                await sdk.messages.create(**module_params())
            return dropped.value

    assert not isinstance(anyio.run(main), anthropic.APITimeoutError)


def test_faults_can_target_one_prompt(server):
    server.fail_next(Fault.refusal, match="`pkg.bad`")

    async def main():
        async with client(server) as sdk:
            good = await sdk.messages.create(**module_params("pkg.good"))
            bad = await sdk.messages.create(**module_params("pkg.bad"))
            return good, bad

    good, bad = anyio.run(main)
    assert good.stop_reason == "end_turn"
    assert bad.stop_reason == "refusal"
    assert bad.stop_details.explanation


def test_count_tokens(server):
    async def main():
        async with client(server) as sdk:
            params = module_params()
            params.pop("max_tokens")
            return await sdk.messages.count_tokens(**params)

    assert anyio.run(main).input_tokens > 10


def test_batch_create_poll_and_results_by_custom_id(server):
    server.batch_polls = 2
    server.fail_next(Fault.overloaded, endpoint="batch_entry", match="`b.two`")

    async def main():
        async with client(server) as sdk:
            batch = await sdk.messages.batches.create(
                requests=[
                    {"custom_id": "one", "params": module_params("b.one")},
                    {"custom_id": "two", "params": module_params("b.two")},
                ]
            )
            statuses = [batch.processing_status]
            for _ in range(3):
                statuses.append((await sdk.messages.batches.retrieve(batch.id)).processing_status)
            results = {r.custom_id: r.result async for r in await sdk.messages.batches.results(batch.id)}
            return statuses, results

    statuses, results = anyio.run(main)
    assert statuses == ["in_progress", "in_progress", "in_progress", "ended"]
    assert results["one"].type == "succeeded"
    assert "b.one" in results["one"].message.content[0].text
    assert results["two"].type == "errored"
    assert results["two"].error.error.type == "overloaded_error"


def test_generic_schema_gets_a_matching_answer():
    schema = {
        "title": "Other",
        "type": "object",
        "properties": {"name": {"type": "string"}, "tags": {"type": "array"}, "n": {"type": "integer"}},
    }
    params = {
        "messages": [{"role": "user", "content": "hi"}],
        "output_config": {"format": {"schema": schema}},
    }
    assert set(json.loads(plausible_answer(params))) == {"name", "tags", "n"}


def test_prefixes_below_the_minimum_are_not_cached():
    with LoopbackMessagesServer(min_cache_tokens=100_000) as server:

        async def main():
            async with client(server) as sdk:
                await sdk.messages.create(**module_params("a.one"))
                return (await sdk.messages.create(**module_params("a.two"))).usage

        usage = anyio.run(main)
    assert usage.cache_read_input_tokens == usage.cache_creation_input_tokens == 0
