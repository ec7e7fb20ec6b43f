"""How close the scheduler gets to the best possible makespan, against two simple baselines.

The prompt graph is that of a real package (the installed ``sphinx``, planned from its extracted facts). A
simulated backend answers each prompt after a latency drawn once per prompt from a lognormal distribution
around a mean that grows with the prompt's input and output tokens, so every strategy sees the same
durations. Time is virtual (trio's ``MockClock``): the run takes seconds of CPU, not hours.

For each concurrency C it reports the makespan over the lower bound ``max(critical path, total work / C)``
of three strategies run in the same script:

- ours: :class:`PageGenerationScheduler` (critical-path order);
- fifo: the same scheduler with every priority equal (ready prompts in the order they became ready);
- waves: level by level, each dependency level waiting for the whole previous level.

Last line, JSON: ``{"ours_over_bound": R, "waves_over_ours": W, "fifo_over_ours": F}`` where R is the
worst ratio over C, and W and F are the geometric means over C of the baselines' makespans over ours.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import anyio
import trio.testing

from sphinxcontrib_llmdocs.config import LlmdocsConfig
from sphinxcontrib_llmdocs.extract import extract_project
from sphinxcontrib_llmdocs.llm.offline import write_offline_answer
from sphinxcontrib_llmdocs.llm.protocol import Completion, CompletionRequest, Usage
from sphinxcontrib_llmdocs.plan import EvidenceBuilder, PagePlan, plan_project
from sphinxcontrib_llmdocs.plan.model import PromptSpec
from sphinxcontrib_llmdocs.schedule import PageGenerationScheduler, parse_answer
from sphinxcontrib_llmdocs.testing import MemoryAnswerStore

SIGMA = 0.5  # lognormal spread of latencies around their mean


class SimulatedBackend:
    """Deterministic answers after a simulated latency; records each prompt's duration."""

    name = "simulated"
    sends_requests = True
    reads_cache = True

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.durations: dict[str, float] = {}
        self.in_flight = 0
        self.max_in_flight = 0

    def latency(self, request: CompletionRequest, text: str) -> float:
        tokens_in = (len(request.system) + len(request.user)) / 4
        tokens_out = len(text) / 4
        mean = 0.6 + tokens_in / 4000 + tokens_out / 70
        digest = hashlib.sha256(f"{self.seed}:{request.prompt_id}".encode()).digest()
        noise = random.Random(digest).lognormvariate(-(SIGMA**2) / 2, SIGMA)
        return mean * noise

    async def complete(self, request: CompletionRequest) -> Completion:
        answer = write_offline_answer(request)
        if isinstance(answer.get("symbols"), list):
            # The offline writer repeats @overload-ed functions; a model answers each name once.
            unique = {str(item.get("name")): item for item in answer["symbols"]}
            answer["symbols"] = list(unique.values())
        text = json.dumps(answer, ensure_ascii=False, sort_keys=True)
        duration = self.latency(request, text)
        self.durations[request.prompt_id] = duration
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await anyio.sleep(duration)
        finally:
            self.in_flight -= 1
        usage = Usage(int((len(request.system) + len(request.user)) / 4), len(text) // 4)
        # Docstring-derived prose may hold markup no model would write back; ``from_model=False`` skips the
        # prose contract, so no prompt is retried for it: this measures order, not prose.
        return Completion(text=text, model=request.model, usage=usage, from_model=False)

    async def aclose(self) -> None:
        pass


def virtual_run(func):
    """Run ``func`` on trio with a clock that jumps whenever every task waits."""
    clock = trio.testing.MockClock(autojump_threshold=0)
    return anyio.run(func, backend="trio", backend_options={"clock": clock})


def run_scheduler(plan: PagePlan, builder, concurrency: int, seed: int, priority=None):
    backend = SimulatedBackend(seed)
    scheduler = PageGenerationScheduler(
        plan, backend, MemoryAnswerStore(), builder, max_concurrency=concurrency, priority=priority
    )

    async def main() -> float:
        start = anyio.current_time()
        result = await scheduler.run()
        assert not result.failures, result.failures
        assert backend.max_in_flight <= concurrency
        return anyio.current_time() - start

    return virtual_run(main), backend.durations


def levels_of(plan: PagePlan) -> list[list[PromptSpec]]:
    """Prompts by dependency level: level 0 has no dependencies, level n waits for level n - 1."""
    level: dict[str, int] = {}
    remaining = list(plan.prompts)
    while remaining:
        later = []
        for spec in remaining:
            if all(d in level for d in spec.deps):
                level[spec.id] = 1 + max((level[d] for d in spec.deps), default=-1)
            else:
                later.append(spec)
        remaining = later
    waves: list[list[PromptSpec]] = [[] for _ in range(max(level.values()) + 1)]
    for spec in plan.prompts:
        waves[level[spec.id]].append(spec)
    return waves


def run_waves(plan: PagePlan, builder, concurrency: int, seed: int) -> float:
    backend = SimulatedBackend(seed)
    answers: dict[str, dict[str, object]] = {}

    async def one(spec: PromptSpec, limiter: anyio.CapacityLimiter) -> None:
        request = builder(spec, {d: answers[d] for d in spec.deps if d in answers})
        async with limiter:
            completion = await backend.complete(request)
        answers[spec.id] = parse_answer(request, completion)

    async def main() -> float:
        start = anyio.current_time()
        limiter = anyio.CapacityLimiter(concurrency)
        for wave in levels_of(plan):
            async with anyio.create_task_group() as tg:
                for spec in wave:
                    tg.start_soon(one, spec, limiter)
        return anyio.current_time() - start

    return virtual_run(main)


def lower_bound(plan: PagePlan, durations: Mapping[str, float], concurrency: int) -> float:
    finish: dict[str, float] = {}
    for wave in levels_of(plan):
        for spec in wave:
            finish[spec.id] = durations[spec.id] + max((finish[d] for d in spec.deps), default=0.0)
    critical = max(finish.values())
    return max(critical, sum(durations.values()) / concurrency)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", default="sphinx", help="installed package whose prompt graph is run")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[2, 4, 8, 16])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args()

    module = __import__(args.package)
    root = Path(module.__file__).parent
    facts = extract_project([root], ())
    config = LlmdocsConfig(packages=(root,))
    plan = plan_project(facts, config, args.package)

    builder = EvidenceBuilder(facts, plan)  # what the pipeline uses: one symbol index for every request

    print(
        f"{args.package}: {len(facts.modules)} modules, {len(plan.prompts)} prompts, "
        f"{len(levels_of(plan))} dependency levels; seeds {args.seeds}"
    )
    print(
        f"{'C':>3} {'seed':>4} {'bound':>9} {'ours':>9} {'fifo':>9} {'waves':>9} "
        f"{'ours/bd':>8} {'fifo/ours':>9} {'waves/ours':>10} {'cpu s':>6}"
    )
    worst = 0.0
    fifo_ratios: list[float] = []
    wave_ratios: list[float] = []
    flat = {p.id: 0.0 for p in plan.prompts}
    for concurrency in args.concurrency:
        for seed in args.seeds:
            cpu = time.process_time()
            ours, durations = run_scheduler(plan, builder, concurrency, seed)
            fifo, _ = run_scheduler(plan, builder, concurrency, seed, priority=flat)
            waves = run_waves(plan, builder, concurrency, seed)
            cpu = time.process_time() - cpu
            bound = lower_bound(plan, durations, concurrency)
            ratio = ours / bound
            worst = max(worst, ratio)
            fifo_ratios.append(fifo / ours)
            wave_ratios.append(waves / ours)
            print(
                f"{concurrency:>3} {seed:>4} {bound:>9.1f} {ours:>9.1f} {fifo:>9.1f} {waves:>9.1f} "
                f"{ratio:>8.3f} {fifo / ours:>9.3f} {waves / ours:>10.3f} {cpu:>6.1f}"
            )

    def geomean(values: list[float]) -> float:
        return math.exp(sum(math.log(v) for v in values) / len(values))

    print(
        json.dumps(
            {
                "ours_over_bound": round(worst, 3),
                "waves_over_ours": round(geomean(wave_ratios), 3),
                "fifo_over_ours": round(geomean(fifo_ratios), 3),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
