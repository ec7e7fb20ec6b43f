"""Run the prompt graph on one anyio task group: each prompt once, after the prompts it depends on."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import anyio
from pydantic import ValidationError

from sphinxcontrib_llmdocs.cache.store import ResponseCache, cache_key
from sphinxcontrib_llmdocs.errors import (
    AuthenticationError,
    BackendError,
    CacheEntryError,
    ContractViolationError,
    ProseContractViolationError,
    TransientBackendError,
)
from sphinxcontrib_llmdocs.llm.protocol import Backend, Completion, CompletionRequest, Usage
from sphinxcontrib_llmdocs.plan.contracts import check_answer
from sphinxcontrib_llmdocs.plan.model import PagePlan, PromptSpec

__all__ = ["PageGenerationScheduler", "RunResult", "RunStats", "parse_answer"]

RequestBuilder = Callable[[PromptSpec, Mapping[str, Mapping[str, object]]], CompletionRequest]
ProgressCallback = Callable[["RunStats"], None]


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


@dataclass
class RunResult:
    """Answers by prompt id (parsed, schema-valid), failures by prompt id, and the counters."""

    answers: dict[str, dict[str, object]]
    failures: dict[str, str]
    stats: RunStats
    models: dict[str, str]


def parse_answer(request: CompletionRequest, completion: Completion) -> dict[str, object]:
    """Check ``completion`` against the request's output contract and return the parsed answer.

    :raises ContractViolationError: naming what is wrong (truncated, not JSON, schema mismatch).
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
    """Runs every prompt of a plan once, dependencies first, within a concurrency limit.

    :param build_request: writes a prompt's request from the answers of its dependencies.
    :param max_attempts: tries per prompt for contract violations and transient errors.
    """

    def __init__(
        self,
        plan: PagePlan,
        backend: Backend,
        cache: ResponseCache,
        build_request: RequestBuilder,
        *,
        max_concurrency: int = 4,
        max_attempts: int = 3,
        on_progress: ProgressCallback | None = None,
    ) -> None:
        self.plan = plan
        self.backend = backend
        self.cache = cache
        self.build_request = build_request
        self.max_attempts = max_attempts
        self.on_progress = on_progress
        self._limiter = anyio.CapacityLimiter(max_concurrency)
        self._done = {p.id: anyio.Event() for p in plan.prompts}
        self._answers: dict[str, dict[str, object]] = {}
        self._failures: dict[str, str] = {}
        self._models: dict[str, str] = {}
        self.stats = RunStats(total=len(plan.prompts))

    async def run(self) -> RunResult:
        """Run the whole graph; returns when every prompt has an answer or has failed."""
        try:
            async with anyio.create_task_group() as tg:
                for spec in self.plan.prompts:
                    tg.start_soon(self._run_prompt, spec)
        finally:
            with anyio.CancelScope(shield=True):
                await self.backend.aclose()
        return RunResult(dict(self._answers), dict(self._failures), self.stats, dict(self._models))

    async def _run_prompt(self, spec: PromptSpec) -> None:
        try:
            for dep in spec.deps:
                await self._done[dep].wait()
            deps = {d: self._answers[d] for d in spec.deps if d in self._answers}
            request = self.build_request(spec, deps)
            async with self._limiter:
                answer, model = await self._answer(request)
            self._answers[spec.id] = answer
            self._models[spec.id] = model
        except AuthenticationError:
            raise
        except BackendError as exc:
            self._failures[spec.id] = str(exc)
            self.stats.failures += 1
        finally:
            self.stats.done += 1
            self._done[spec.id].set()
            if self.on_progress is not None:
                self.on_progress(self.stats)

    async def _answer(self, request: CompletionRequest) -> tuple[dict[str, object], str]:
        key = cache_key(request)
        if self.backend.reads_cache:
            try:
                cached = self.cache.get(key)
            except CacheEntryError as exc:
                self.stats.cache_warnings.append(str(exc))
                cached = None
            if cached is not None:
                try:
                    answer = parse_answer(request, cached)
                except ProseContractViolationError as exc:
                    self.stats.cache_hits += 1  # kept after its retries; the renderer neutralises the prose
                    return exc.answer, cached.model
                except ContractViolationError as exc:
                    self.stats.cache_warnings.append(f"cached answer rejected: {exc}")
                else:
                    self.stats.cache_hits += 1
                    return answer, cached.model
        last: BackendError | None = None
        for attempt in range(self.max_attempts):
            if attempt:
                self.stats.retries += 1
            try:
                completion = await self.backend.complete(request)
            except (TransientBackendError, ContractViolationError) as exc:
                # Minimal retry until the rate-limited scheduler lands: honour retry-after, else back off.
                last = exc
                wait = getattr(exc, "retry_after", None)
                if attempt + 1 < self.max_attempts:
                    await anyio.sleep(min(60.0, 0.25 * 2**attempt if wait is None else wait))
                continue
            if completion.from_model:
                self.stats.sent += 1
                self.stats.usage = self.stats.usage + completion.usage
            else:
                self.stats.offline += 1
            try:
                answer = parse_answer(request, completion)
            except ContractViolationError as exc:
                last = exc
                continue
            if completion.from_model:
                self.cache.put(key, request, completion)
            return answer, completion.model
        assert last is not None
        if isinstance(last, ProseContractViolationError):
            # Schema-valid, but the retries did not clean its prose: keep it; the renderer neutralises it.
            if completion.from_model:
                self.cache.put(key, request, completion)
            return last.answer, completion.model
        raise last
