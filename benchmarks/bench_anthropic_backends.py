"""The ``anthropic`` and ``anthropic-batch`` backends over real HTTP, against the in-process FakeBackend.

Runs the whole pipeline (extract, plan, schedule, render; no Sphinx) on ``example_project`` three times:

- baseline: ``FakeBackend`` (same answers, no HTTP);
- ``anthropic``: the official SDK against the loopback Messages API server on 127.0.0.1;
- ``anthropic-batch``: the same through the Message Batches endpoints.

Prints wall-time ratios against the baseline, HTTP requests, batches, tokens and cost (dated price table,
batch discount applied). The last line is JSON. Nothing leaves the machine.

    .venv/bin/python benchmarks/bench_anthropic_backends.py
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

from sphinxcontrib_llmdocs.config import LlmdocsConfig
from sphinxcontrib_llmdocs.llm.prices import default_price_table
from sphinxcontrib_llmdocs.pipeline import generate
from sphinxcontrib_llmdocs.testing import LoopbackMessagesServer

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "example_project" / "src" / "recipebox"
KEY = "sk-ant-benchmark-dummy"


def run(backend: str, environ: dict[str, str]) -> tuple[float, dict[str, object]]:
    config = LlmdocsConfig.from_values(
        {"llmdocs_packages": [str(PACKAGE)], "llmdocs_backend": backend}, ROOT, environ=environ
    )
    with tempfile.TemporaryDirectory() as state:
        start = time.perf_counter()
        generation = generate(config, project="recipebox", state_dir=Path(state))
        elapsed = time.perf_counter() - start
    stats = generation.result.stats
    return elapsed, {
        "prompts": stats.total,
        "sent": stats.sent,
        "failed": stats.failures,
        "pages": len(generation.pages),
        "usage": stats.usage,
    }


def cost(usage: object, *, batch: bool) -> float:
    # The pipeline's stats sum usage over both models; price it all at the page model's rate (an upper
    # bound: analyses run on the cheaper model). The ratio between the two backends is what matters.
    table = default_price_table()
    value = table.cost("claude-sonnet-4-5", usage, batch=batch)  # type: ignore[arg-type]
    return round(value or 0.0, 6)


def main() -> None:
    # The SDK's import (about a second) is paid once per build; measured apart so the ratios compare runs.
    start = time.perf_counter()
    import anthropic  # noqa: F401

    import_s = time.perf_counter() - start
    run("sphinxcontrib_llmdocs.testing:FakeBackend", {})  # warm-up: file cache, imports
    base_time, base = run("sphinxcontrib_llmdocs.testing:FakeBackend", {})
    results: dict[str, object] = {
        "baseline_fake_s": round(base_time, 3),
        "prompts": base["prompts"],
        "import_anthropic_s": round(import_s, 3),
    }
    for backend in ("anthropic", "anthropic-batch"):
        # As the real API: a prefix shorter than 1024 tokens is not cached, whatever its cache_control.
        with LoopbackMessagesServer(api_key=KEY, min_cache_tokens=1024) as server:
            environ = {**os.environ, "ANTHROPIC_API_KEY": KEY, "ANTHROPIC_BASE_URL": server.url}
            elapsed, stats = run(backend, environ)
            batches = server.requests_to("/v1/messages/batches")
            usage = stats["usage"]
            read = getattr(usage, "cache_read_input_tokens", 0)
            written = getattr(usage, "cache_creation_input_tokens", 0)
            total_in = read + written + getattr(usage, "input_tokens", 0)
            key = backend.replace("-", "_")
            results[f"{key}_s"] = round(elapsed, 3)
            results[f"{key}_time_ratio"] = round(elapsed / base_time, 2)
            results[f"{key}_http_requests"] = len(server.requests)
            results[f"{key}_batches"] = len(batches)
            results[f"{key}_failed"] = stats["failed"]
            results[f"{key}_cache_read_share"] = round(read / total_in, 3) if total_in else 0.0
            results[f"{key}_cost_usd"] = cost(usage, batch=backend == "anthropic-batch")
            print(
                f"{backend}: {elapsed:.2f}s ({elapsed / base_time:.1f}x the fake backend), "
                f"{len(server.requests)} HTTP requests, {len(batches)} batches, "
                f"{stats['sent']}/{stats['prompts']} prompts answered"
            )
    interactive = results["anthropic_cost_usd"]
    batch = results["anthropic_batch_cost_usd"]
    assert isinstance(interactive, float) and isinstance(batch, float)
    results["batch_cost_ratio"] = round(batch / interactive, 3) if interactive else None
    print(json.dumps(results, sort_keys=True))


if __name__ == "__main__":
    main()
