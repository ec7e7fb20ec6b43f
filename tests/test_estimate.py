"""The dry run and the estimate, as a user runs them: CLI, ``sphinx-build -D llmdocs_dry_run=1``, prices."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FAKE, report_of, warnings_of

from sphinxcontrib_llmdocs.config import LlmdocsConfig
from sphinxcontrib_llmdocs.extract import extract_project
from sphinxcontrib_llmdocs.llm import CompletionRequest
from sphinxcontrib_llmdocs.plan import plan_project
from sphinxcontrib_llmdocs.plan.estimate import estimate_plan

SHOP = Path(__file__).parent / "roots" / "test-basic" / "src" / "shop"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sphinxcontrib_llmdocs", *args], capture_output=True, text=True, check=False
    )


def cache_entries(root: Path) -> list[Path]:
    return [p for p in root.rglob("*.json") if "cache" in p.parts]


def test_plan_json_lists_pages_and_prompts_dependencies_first(project):
    docs = project("basic")
    result = run_cli("plan", str(docs), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    pages = {p["id"]: p for p in data["pages"]}
    assert pages["module:shop.catalog"]["docname"] == "llmdocs/shop/catalog"
    assert pages["index"]["children"] == ["package:shop"]
    seen: set[str] = set()
    for prompt in data["prompts"]:
        assert set(prompt["deps"]) <= seen, prompt["id"]
        seen.add(prompt["id"])
    kinds = {p["kind"] for p in data["prompts"]}
    assert kinds == {"analysis", "module", "package", "index"}
    assert any(p["symbols"] for p in data["prompts"] if p["kind"] == "analysis")


def test_plan_of_a_folder_without_conf_py_names_it(tmp_path):
    result = run_cli("plan", str(tmp_path))
    assert result.returncode == 2 and "no conf.py" in result.stderr and str(tmp_path) in result.stderr


def test_estimate_counts_every_prompt_and_prices_it_three_ways(project):
    docs = project("basic")
    plan = json.loads(run_cli("plan", str(docs), "--json").stdout)
    result = run_cli("estimate", str(docs), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    total = data["total"]
    assert total["prompts"] == len(plan["prompts"]) and total["cache_hits"] == 0
    for kind in ("analysis", "module", "package", "index"):
        count = sum(1 for p in plan["prompts"] if p["kind"] == kind)
        assert data["by_kind"][kind]["prompts"] == count
    assert total["input_tokens"] > 0 and total["output_tokens"] > 0
    assert total["cost_usd"] > 0
    assert total["cost_batch_usd"] == pytest.approx(total["cost_usd"] / 2, rel=1e-3)
    assert total["cost_with_prompt_caching_usd"] <= total["cost_usd"]
    assert data["token_counter"] == "local estimate" and data["prices_as_of"] == "2025-11-24"
    text = run_cli("estimate", str(docs))
    assert text.stdout.splitlines()[0].split()[:3] == ["kind", "prompts", "cached"]
    assert "total" in text.stdout
    assert not cache_entries(docs)


def test_after_a_build_the_estimate_reuses_every_cached_answer(project, build):
    docs = project("basic")
    app = build(docs, llmdocs_backend=FAKE)
    assert report_of(app)["prompts"]["sent"] > 0
    entries = sorted(cache_entries(Path(app.doctreedir)))
    before = {p: p.read_bytes() for p in entries}
    result = run_cli("estimate", str(docs), "--json", "--doctrees", str(app.doctreedir))
    data = json.loads(result.stdout)
    assert data["total"]["cache_hits"] == data["total"]["prompts"] == report_of(app)["prompts"]["total"]
    assert data["total"]["cost_usd"] == 0 and data["total"]["input_tokens"] == 0
    # The estimate only read the cache.
    assert {p: p.read_bytes() for p in sorted(cache_entries(Path(app.doctreedir)))} == before

    # One changed module: its prompts and those that depend on them would be sent again, nothing else.
    catalog = docs / "src" / "shop" / "catalog.py"
    catalog.write_text(catalog.read_text() + "\n\ndef restock() -> None:\n    pass\n")
    data = json.loads(run_cli("estimate", str(docs), "--json", "--doctrees", str(app.doctreedir)).stdout)
    plan = json.loads(run_cli("plan", str(docs), "--json").stdout)["prompts"]
    stale = {p["id"] for p in plan if p["id"].startswith("analysis:shop.catalog#")}
    for prompt in plan:  # dependencies first: one pass closes the set
        if stale & set(prompt["deps"]):
            stale.add(prompt["id"])
    assert {p["id"] for p in data["prompts"] if not p["cache_hit"]} == stale
    assert "module:shop.cart" not in stale and "index" in stale
    assert data["total"]["cache_hits"] == data["total"]["prompts"] - len(stale)


def test_dry_run_build_calls_no_model_and_writes_nothing_to_the_cache(project, build):
    docs = project("basic")
    app = build(docs, llmdocs_backend=FAKE, llmdocs_dry_run=True)
    assert warnings_of(app) == ""
    report = report_of(app)
    assert report["prompts"]["sent"] == 0 and report["backend"] == "offline"
    assert "llmdocs_dry_run" in report["backend_reason"]
    assert not cache_entries(Path(app.doctreedir))
    estimate = json.loads((Path(app.outdir) / "llmdocs-estimate.json").read_text())
    assert estimate["total"]["prompts"] == report["prompts"]["total"]
    assert estimate["total"]["cost_usd"] > 0
    # The pages are there all the same, written offline.
    assert (Path(app.outdir) / "llmdocs" / "shop" / "catalog.html").is_file()


def test_dry_run_from_the_command_line(project, tmp_path):
    docs = project("basic")
    out = tmp_path / "html"
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-D", "llmdocs_dry_run=1", "-b", "html", str(docs), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "llmdocs dry run: no model was called" in result.stdout
    assert "total" in result.stdout and (out / "llmdocs-estimate.json").is_file()
    assert not cache_entries(out)


class _Counting:
    """A backend with the optional token-counting hook (as the Messages API's count_tokens endpoint)."""

    name = "counting"
    sends_requests = True
    reads_cache = True

    def __init__(self) -> None:
        self.counted: list[str] = []

    async def count_tokens(self, request: CompletionRequest) -> int:
        self.counted.append(request.prompt_id)
        return 1000

    async def complete(self, request: CompletionRequest) -> object:
        raise AssertionError("a dry run must never complete a prompt")

    async def aclose(self) -> None:
        pass


def test_a_backend_token_counter_replaces_the_local_estimate_and_prices_can_be_overridden():
    facts = extract_project([SHOP])
    config = LlmdocsConfig(packages=(SHOP,))
    plan = plan_project(facts, config, "shop")
    backend = _Counting()
    estimate = estimate_plan(plan, facts, config, backend=backend)
    assert estimate.token_counter == "counting count_tokens"
    assert estimate.total.input_tokens == 1000 * len(plan.prompts)
    assert {p.id for p in plan.prompts} <= set(backend.counted)

    cheap = dataclasses.replace(
        config,
        prices={
            m: {"input": 0.0, "output": 0.0, "cache_write": 0.0, "cache_read": 0.0}
            for m in (config.model, config.analysis_model)
        },
    )
    assert estimate_plan(plan, facts, cheap).total.cost_usd == 0
    unknown = dataclasses.replace(config, model="claude-unknown-9")
    result = estimate_plan(plan_project(facts, unknown, "shop"), facts, unknown)
    assert result.unpriced_models == ("claude-unknown-9",) and result.total.cost_usd is None
    assert "set llmdocs_prices" in result.format_text()


def test_bad_prices_are_reported_naming_the_setting(tmp_path):
    from sphinxcontrib_llmdocs.errors import InvalidConfigError

    with pytest.raises(InvalidConfigError) as info:
        LlmdocsConfig.from_values(
            {
                "llmdocs_packages": [str(SHOP)],
                "llmdocs_prices": {"claude-x": {"input": 1}},
                "llmdocs_evidence_tokens": 10,
                "llmdocs_symbol_page_min_users": -1,
            },
            tmp_path,
        )
    text = " ".join(info.value.problems)
    for name in ("llmdocs_prices['claude-x']", "llmdocs_evidence_tokens", "llmdocs_symbol_page_min_users"):
        assert name in text


def test_prompt_caching_pays_off_only_above_the_models_minimum_prefix():
    facts = extract_project([SHOP])
    haiku = LlmdocsConfig(packages=(SHOP,))
    sonnet = dataclasses.replace(haiku, analysis_model="claude-sonnet-4-5")
    small = estimate_plan(plan_project(facts, haiku, "shop"), facts, haiku).by_kind["analysis"]
    # The analysis system prompt is shorter than Haiku 4.5's 4,096-token minimum: nothing to cache.
    assert small.cost_with_prompt_caching_usd == small.cost_usd
    large = estimate_plan(plan_project(facts, sonnet, "shop"), facts, sonnet).by_kind["analysis"]
    # Sonnet 4.5 caches from 1,024 tokens: one cache write, then cheap reads for every sibling prompt.
    assert large.prompts > 2
    assert large.cost_with_prompt_caching_usd < large.cost_usd


class _BrokenCounter(_Counting):
    async def count_tokens(self, request: CompletionRequest) -> int:
        from sphinxcontrib_llmdocs.errors import TransientBackendError

        raise TransientBackendError("connection refused")


def test_a_failing_token_counter_falls_back_to_the_local_estimate_and_says_so():
    facts = extract_project([SHOP])
    config = LlmdocsConfig(packages=(SHOP,))
    plan = plan_project(facts, config, "shop")
    estimate = estimate_plan(plan, facts, config, backend=_BrokenCounter())
    assert estimate.token_counter == "local estimate (count_tokens failed: connection refused)"
    assert estimate.total.input_tokens == estimate_plan(plan, facts, config).total.input_tokens


def test_with_a_key_the_cli_estimate_counts_tokens_with_the_api_and_sends_no_message(project):
    from sphinxcontrib_llmdocs.testing import LoopbackMessagesServer

    docs = project("basic")
    key = "sk-ant-DUMMY-estimate-7f3e"
    with LoopbackMessagesServer(api_key=key) as server:
        env = {**os.environ, "ANTHROPIC_API_KEY": key, "ANTHROPIC_BASE_URL": server.url}
        result = subprocess.run(
            [sys.executable, "-m", "sphinxcontrib_llmdocs", "estimate", str(docs), "--json"],
            capture_output=True,
            text=True,
            check=False,
            env=env,
        )
        assert result.returncode == 0, result.stderr
        data = json.loads(result.stdout)
        counted = server.requests_to("/v1/messages/count_tokens")
        assert not server.requests_to("/v1/messages"), "an estimate never asks for an answer"
    assert data["token_counter"] == "anthropic count_tokens"
    # One count per prompt, plus one per distinct system prompt (the prompt-caching prefix).
    assert len(counted) == data["total"]["prompts"] + len({(p["kind"], p["model"]) for p in data["prompts"]})
    assert key not in result.stdout + result.stderr
