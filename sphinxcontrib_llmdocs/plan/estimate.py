"""The dry run: walk the whole prompt graph without calling a model, and say what a build would cost.

For every prompt, in dependency order: write its request exactly as a build would, look its key up in the
response cache (read only: nothing is ever written), and count its input tokens and expected output tokens.

- A prompt whose cached answer is valid, and whose dependencies are all cache hits too, is a **cache hit**: a
  build reuses it and it costs nothing. A prompt one of whose dependencies would be sent is counted as sent:
  its evidence will hold a new answer, so its key cannot be known before that answer exists.
- **Input tokens** come from the backend's ``count_tokens(request)`` method when it has one (the service's
  token-counting endpoint, exact), else from the local estimate of :mod:`~sphinxcontrib_llmdocs.plan.tokens`.
  The evidence of a prompt behind a missing answer is written with the offline writer's answer in its place.
- **Expected output tokens** are typical answer lengths per prompt kind (:data:`EXPECTED_OUTPUT_TOKENS`,
  and per analysed symbol :data:`EXPECTED_SYMBOL_TOKENS`), never more than the request's ``max_tokens``.
- **Cost** in USD at list price from the dated table (``llm/prices.json``, overridable with
  ``llmdocs_prices``), three ways: plain; with prompt caching, where each distinct system prompt (the prefix
  shared by all prompts of one kind and model) is written to the prompt cache once and read by the others,
  when it is at least the model's minimum cacheable length (:data:`MIN_CACHEABLE_TOKENS`); and with batch
  pricing (the batch discount on the plain cost). Tokens and cost count only prompts that would be sent.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Protocol, runtime_checkable

import anyio

from sphinxcontrib_llmdocs.cache.store import ResponseCache, cache_key
from sphinxcontrib_llmdocs.config import LlmdocsConfig
from sphinxcontrib_llmdocs.errors import BackendError, CacheEntryError, ContractViolationError
from sphinxcontrib_llmdocs.extract.facts import ProjectFacts
from sphinxcontrib_llmdocs.llm import BackendChoice, OfflineBackend
from sphinxcontrib_llmdocs.llm.offline import write_offline_answer
from sphinxcontrib_llmdocs.llm.prices import PriceTable, default_price_table
from sphinxcontrib_llmdocs.llm.protocol import Backend, CompletionRequest
from sphinxcontrib_llmdocs.plan.contracts import check_answer
from sphinxcontrib_llmdocs.plan.evidence import EvidenceBuilder
from sphinxcontrib_llmdocs.plan.model import PagePlan, PromptSpec
from sphinxcontrib_llmdocs.plan.tokens import estimate_tokens

__all__ = [
    "EXPECTED_OUTPUT_TOKENS",
    "EXPECTED_SYMBOL_TOKENS",
    "MIN_CACHEABLE_TOKENS",
    "Estimate",
    "KindTotals",
    "PromptEstimate",
    "SupportsCountTokens",
    "dry_run_backend",
    "estimate_and_close",
    "estimate_plan",
    "estimate_plan_async",
    "topological_prompts",
]

#: Typical answer length in tokens of the page prompts.
EXPECTED_OUTPUT_TOKENS = {"module": 450, "package": 300, "index": 600}
#: Typical answer length in tokens per analysed symbol, by schema kind, plus the JSON around them.
EXPECTED_SYMBOL_TOKENS = {"class": 380, "function": 240, "variable": 90}
_ANALYSIS_OVERHEAD_TOKENS = 15
#: The shortest prompt prefix each model family caches (shorter prefixes are not cached at all).
MIN_CACHEABLE_TOKENS = {"claude-opus-4-5": 4096, "claude-sonnet-4-5": 1024, "claude-haiku-4-5": 4096}
_DEFAULT_MIN_CACHEABLE = 1024


@runtime_checkable
class SupportsCountTokens(Protocol):
    """A backend that can count a request's input tokens exactly (the token-counting endpoint).

    Optional: backends without ``count_tokens`` are estimated locally. It may be a coroutine function.
    """

    def count_tokens(self, request: CompletionRequest) -> int | Awaitable[int]:
        """The input tokens ``request`` would cost (system, user text and schema)."""
        ...


TokenCounter = Callable[[CompletionRequest], "int | Awaitable[int]"]


def dry_run_backend() -> BackendChoice:
    """The backend of a dry-run build: the offline writer, whose answers never enter the cache."""
    return BackendChoice(
        OfflineBackend(),
        "llmdocs_dry_run: no model is called; pages are written by the offline writer",
    )


@dataclass(frozen=True)
class PromptEstimate:
    """One prompt of the dry run."""

    id: str
    kind: str
    model: str
    cache_hit: bool
    input_tokens: int
    output_tokens: int
    prefix_tokens: int
    deps: tuple[str, ...] = ()


@dataclass
class KindTotals:
    """Sums over the prompts of one kind (or all). Costs are ``None`` when a model has no price."""

    prompts: int = 0
    cache_hits: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = 0.0
    cost_with_prompt_caching_usd: float | None = 0.0
    cost_batch_usd: float | None = 0.0

    def add(
        self, prompt: PromptEstimate, plain: float | None, cached: float | None, batch: float | None
    ) -> None:
        self.prompts += 1
        if prompt.cache_hit:
            self.cache_hits += 1
            return
        self.input_tokens += prompt.input_tokens
        self.output_tokens += prompt.output_tokens
        self.cost_usd = None if plain is None or self.cost_usd is None else self.cost_usd + plain
        self.cost_with_prompt_caching_usd = (
            None
            if cached is None or self.cost_with_prompt_caching_usd is None
            else self.cost_with_prompt_caching_usd + cached
        )
        self.cost_batch_usd = (
            None if batch is None or self.cost_batch_usd is None else self.cost_batch_usd + batch
        )

    def as_dict(self) -> dict[str, object]:
        def usd(value: float | None) -> float | None:
            return None if value is None else round(value, 6)

        return {
            "prompts": self.prompts,
            "cache_hits": self.cache_hits,
            "to_send": self.prompts - self.cache_hits,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cost_usd": usd(self.cost_usd),
            "cost_with_prompt_caching_usd": usd(self.cost_with_prompt_caching_usd),
            "cost_batch_usd": usd(self.cost_batch_usd),
        }


@dataclass(frozen=True)
class Estimate:
    """What a build of the plan would send and cost."""

    prompts: tuple[PromptEstimate, ...]
    by_kind: Mapping[str, KindTotals]
    total: KindTotals
    prices_as_of: str
    token_counter: str
    models: Mapping[str, str]
    unpriced_models: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, object]:
        """The estimate as JSON-ready builtins (``--json``, ``llmdocs-estimate.json``)."""
        return {
            "prices_as_of": self.prices_as_of,
            "token_counter": self.token_counter,
            "models": dict(self.models),
            "unpriced_models": list(self.unpriced_models),
            "by_kind": {kind: totals.as_dict() for kind, totals in self.by_kind.items()},
            "total": self.total.as_dict(),
            "prompts": [
                {
                    "id": p.id,
                    "kind": p.kind,
                    "model": p.model,
                    "cache_hit": p.cache_hit,
                    "input_tokens": p.input_tokens,
                    "output_tokens": p.output_tokens,
                }
                for p in self.prompts
            ],
        }

    def format_text(self) -> str:
        """A table for people: one row per prompt kind and the total."""

        def usd(value: float | None) -> str:
            return "n/a" if value is None else f"{value:.4f}"

        header = (
            f"{'kind':<9} {'prompts':>7} {'cached':>7} {'input tok':>10} {'output tok':>10} "
            f"{'USD':>9} {'USD+cache':>9} {'USD batch':>9}"
        )
        rows = [header]
        for kind, totals in [*self.by_kind.items(), ("total", self.total)]:
            rows.append(
                f"{kind:<9} {totals.prompts:>7} {totals.cache_hits:>7} {totals.input_tokens:>10} "
                f"{totals.output_tokens:>10} {usd(totals.cost_usd):>9} "
                f"{usd(totals.cost_with_prompt_caching_usd):>9} {usd(totals.cost_batch_usd):>9}"
            )
        notes = [f"prices of {self.prices_as_of}; input tokens: {self.token_counter}"]
        if self.unpriced_models:
            notes.append("no price for " + ", ".join(self.unpriced_models) + " (set llmdocs_prices)")
        return "\n".join([*rows, *notes])


def topological_prompts(plan: PagePlan) -> list[PromptSpec]:
    """The prompts of ``plan``, each after its dependencies; ties keep the plan's order."""
    position = {p.id: i for i, p in enumerate(plan.prompts)}
    waiting = {p.id: {d for d in p.deps if d in position} for p in plan.prompts}
    dependents: dict[str, list[str]] = {}
    for prompt in plan.prompts:
        for dep in waiting[prompt.id]:
            dependents.setdefault(dep, []).append(prompt.id)
    ready = sorted((position[i] for i, deps in waiting.items() if not deps), reverse=True)
    order: list[PromptSpec] = []
    while ready:
        current = plan.prompts[ready.pop()]
        order.append(current)
        for dependent in dependents.get(current.id, ()):
            waiting[dependent].discard(current.id)
            if not waiting[dependent]:
                ready.append(position[dependent])
                ready.sort(reverse=True)
    if len(order) != len(plan.prompts):
        stuck = sorted(set(position) - {p.id for p in order})
        raise ValueError(f"the prompt graph has a cycle through {', '.join(stuck[:5])}")
    return order


def expected_output_tokens(request: CompletionRequest) -> int:
    """The typical answer length of ``request`` (see :data:`EXPECTED_OUTPUT_TOKENS`), capped at max_tokens."""
    if request.kind == "analysis":
        target = request.evidence.get("target")
        kinds = (
            [str(t.get("kind")) for t in target if isinstance(t, dict)] if isinstance(target, list) else []
        )
        expected = _ANALYSIS_OVERHEAD_TOKENS + sum(EXPECTED_SYMBOL_TOKENS.get(k, 200) for k in kinds)
    else:
        expected = EXPECTED_OUTPUT_TOKENS.get(request.kind, 400)
    return min(expected, request.max_tokens)


def _min_cacheable(model: str) -> int:
    for name in sorted(MIN_CACHEABLE_TOKENS, key=len, reverse=True):
        if model == name or model.startswith(name + "-"):
            return MIN_CACHEABLE_TOKENS[name]
    return _DEFAULT_MIN_CACHEABLE


async def estimate_plan_async(
    plan: PagePlan,
    facts: ProjectFacts,
    config: LlmdocsConfig,
    *,
    cache: ResponseCache | None = None,
    backend: object | None = None,
    prices: PriceTable | None = None,
) -> Estimate:
    """Walk every prompt of ``plan`` without calling a model; see the module docstring for the rules.

    :param cache: the response cache to look answers up in (only read).
    :param backend: used only for its ``count_tokens`` method, when it has one; never asked to complete.
    """
    table = prices or default_price_table().with_overrides(config.prices)
    builder = EvidenceBuilder(facts, plan, language=config.language, evidence_tokens=config.evidence_tokens)
    counter: TokenCounter | None = backend.count_tokens if isinstance(backend, SupportsCountTokens) else None
    counter_name = f"{getattr(backend, 'name', 'backend')} count_tokens" if counter else "local estimate"

    async def count(request: CompletionRequest) -> int:
        nonlocal counter, counter_name
        if counter is not None:
            try:
                result = counter(request)
                if inspect.isawaitable(result):
                    result = await result
                return int(result)
            except BackendError as exc:
                # No network, a refused key...: the estimate goes on with the local count, and says so.
                counter, counter_name = None, f"local estimate (count_tokens failed: {exc})"
        return estimate_tokens(request.system) + estimate_tokens(request.user) + 8

    answers: dict[str, Mapping[str, object]] = {}
    sent: set[str] = set()
    prefixes: dict[tuple[str, str], int] = {}
    estimates: list[PromptEstimate] = []
    by_kind: dict[str, KindTotals] = {}
    total = KindTotals()
    unpriced: set[str] = set()
    seen_prefix: set[tuple[str, str]] = set()
    for spec in topological_prompts(plan):
        request = builder.request(spec, {d: answers[d] for d in spec.deps if d in answers})
        hit = False
        if cache is not None and not any(d in sent for d in spec.deps):
            try:
                cached = cache.get(cache_key(request))
            except CacheEntryError:
                cached = None
            if cached is not None:
                try:
                    answers[spec.id] = check_answer(request, cached.text)
                    hit = True
                except ContractViolationError:
                    hit = False
        if not hit:
            sent.add(spec.id)
            answers[spec.id] = write_offline_answer(request)
        group = (request.model, request.system)
        if group not in prefixes:
            prefixes[group] = (
                estimate_tokens(request.system)
                if counter is None
                else await count(replace(request, user="."))
            )
        input_tokens = await count(request) if not hit else 0
        output_tokens = expected_output_tokens(request) if not hit else 0
        prompt = PromptEstimate(
            spec.id, spec.kind, spec.model, hit, input_tokens, output_tokens, prefixes[group], spec.deps
        )
        estimates.append(prompt)
        plain: float | None = None
        cached_cost: float | None = None
        batch: float | None = None
        price = table.price(request.model)
        if hit:
            plain = cached_cost = batch = 0.0
        elif price is None:
            unpriced.add(request.model)
        else:
            plain = (input_tokens * price.input + output_tokens * price.output) / 1_000_000
            batch = plain * (1 - table.batch_discount)
            prefix = min(prompt.prefix_tokens, input_tokens)
            if prefix >= _min_cacheable(request.model):
                prefix_price = price.cache_read if group in seen_prefix else price.cache_write
                seen_prefix.add(group)
                cached_cost = (
                    prefix * prefix_price
                    + (input_tokens - prefix) * price.input
                    + output_tokens * price.output
                ) / 1_000_000
            else:
                cached_cost = plain
        by_kind.setdefault(spec.kind, KindTotals()).add(prompt, plain, cached_cost, batch)
        total.add(prompt, plain, cached_cost, batch)
    order = ["analysis", "module", "package", "index"]
    return Estimate(
        prompts=tuple(estimates),
        by_kind={
            k: by_kind[k] for k in sorted(by_kind, key=lambda k: (order.index(k) if k in order else 9, k))
        },
        total=total,
        prices_as_of=table.as_of,
        token_counter=counter_name,
        models={"analysis": config.analysis_model, "pages": config.model},
        unpriced_models=tuple(sorted(unpriced)),
    )


async def estimate_and_close(
    plan: PagePlan,
    facts: ProjectFacts,
    config: LlmdocsConfig,
    *,
    cache: ResponseCache | None,
    backend: Backend,
) -> Estimate:
    """:func:`estimate_plan_async` with a backend made only for its token counter, closed afterwards."""
    try:
        return await estimate_plan_async(plan, facts, config, cache=cache, backend=backend)
    finally:
        await backend.aclose()


def estimate_plan(
    plan: PagePlan,
    facts: ProjectFacts,
    config: LlmdocsConfig,
    *,
    cache: ResponseCache | None = None,
    backend: object | None = None,
    prices: PriceTable | None = None,
) -> Estimate:
    """:func:`estimate_plan_async` from synchronous code (no event loop may run in this thread)."""

    async def run() -> Estimate:
        return await estimate_plan_async(plan, facts, config, cache=cache, backend=backend, prices=prices)

    return anyio.run(run)
