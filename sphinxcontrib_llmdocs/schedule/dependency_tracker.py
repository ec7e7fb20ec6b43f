"""Which prompts may run, and which pages are ready to render, as answers arrive."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sphinxcontrib_llmdocs.errors import PlanError
from sphinxcontrib_llmdocs.plan.model import PagePlan, PromptSpec

__all__ = ["DependencyTracker", "PageState", "Settled", "critical_path_lengths", "default_weight"]


@dataclass
class PageState:
    """Where one page stands.

    :param prompts_total: prompts whose answers the page shows.
    :param prompts_done: of those, answered or failed.
    :param pending_analyses: symbol-analysis prompts of the page not settled yet.
    :param unmet_page_deps: other pages whose prompts this page's prompts wait for and that are not settled.
    :param written: rendered (by the :class:`~sphinxcontrib_llmdocs.schedule.rendering.PageRenderer`).
    :param failed: ids of the page's prompts that failed.
    """

    prompts_total: int
    prompts_done: int = 0
    pending_analyses: set[str] = field(default_factory=set)
    unmet_page_deps: set[str] = field(default_factory=set)
    written: bool = False
    failed: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        """Every prompt of the page has settled (its dependencies therefore too)."""
        return self.prompts_done == self.prompts_total


@dataclass(frozen=True)
class Settled:
    """What settling one prompt released: prompts now ready to run and pages now ready to render."""

    prompts: tuple[str, ...]
    pages: tuple[str, ...]


class DependencyTracker:
    """Counts, per prompt, the dependencies not settled yet; per page, the prompts not settled yet.

    A failed prompt releases its dependents like an answered one: they run with the answers they have, and
    :meth:`failed_inputs` names what they went without.

    :raises PlanError: when a prompt depends on an unknown prompt or the prompt graph has a cycle (the run
        would otherwise wait forever).
    """

    def __init__(self, plan: PagePlan) -> None:
        self.plan = plan
        self._order = {p.id: i for i, p in enumerate(plan.prompts)}
        self._unmet: dict[str, int] = {}
        self._dependents: dict[str, list[str]] = {p.id: [] for p in plan.prompts}
        self._failed_inputs: dict[str, list[str]] = {}
        self._settled: set[str] = set()
        self._failed: set[str] = set()
        for spec in plan.prompts:
            deps = tuple(dict.fromkeys(spec.deps))
            for dep in deps:
                if dep not in self._dependents:
                    raise PlanError(f"prompt {spec.id!r} depends on unknown prompt {dep!r}")
                self._dependents[dep].append(spec.id)
            self._unmet[spec.id] = len(deps)
        _check_acyclic(plan, self._dependents)
        self.pages: dict[str, PageState] = {}
        for page in plan.pages:
            state = PageState(prompts_total=len(page.prompts))
            state.pending_analyses = {p for p in page.prompts if plan.prompt(p).kind == "analysis"}
            state.unmet_page_deps = {
                plan.prompt(dep).page_id
                for p in page.prompts
                for dep in plan.prompt(p).deps
                if plan.prompt(dep).page_id != page.id
            }
            self.pages[page.id] = state

    def initially_ready(self) -> tuple[str, ...]:
        """Prompts without dependencies, in plan order."""
        return tuple(p.id for p in self.plan.prompts if self._unmet[p.id] == 0)

    @property
    def settled_count(self) -> int:
        """Prompts answered or failed so far."""
        return len(self._settled)

    @property
    def all_settled(self) -> bool:
        """Every prompt is answered or failed."""
        return len(self._settled) == len(self._unmet)

    def pending(self, prompt_id: str) -> bool:
        """Whether ``prompt_id`` is a prompt of the plan that has not settled yet."""
        return prompt_id in self._unmet and prompt_id not in self._settled

    def failed_inputs(self, prompt_id: str) -> tuple[str, ...]:
        """Dependencies of ``prompt_id`` that failed (it runs without their answers)."""
        return tuple(self._failed_inputs.get(prompt_id, ()))

    def settle(self, prompt_id: str, *, failed: bool = False) -> Settled:
        """Record that ``prompt_id`` is answered (or failed); return what that released."""
        if prompt_id in self._settled:
            raise ValueError(f"prompt {prompt_id!r} settled twice")
        self._settled.add(prompt_id)
        spec = self.plan.prompt(prompt_id)
        if failed:
            self._failed.add(prompt_id)
        ready: list[str] = []
        for dependent in self._dependents[prompt_id]:
            if failed:
                self._failed_inputs.setdefault(dependent, []).append(prompt_id)
            self._unmet[dependent] -= 1
            if self._unmet[dependent] == 0:
                ready.append(dependent)
        ready.sort(key=self._order.__getitem__)
        state = self.pages[spec.page_id]
        state.prompts_done += 1
        state.pending_analyses.discard(prompt_id)
        if failed:
            state.failed.append(prompt_id)
        pages: list[str] = []
        if state.ready:
            pages.append(spec.page_id)
            for other in self.pages.values():
                other.unmet_page_deps.discard(spec.page_id)
        return Settled(tuple(ready), tuple(pages))


def _check_acyclic(plan: PagePlan, dependents: Mapping[str, list[str]]) -> None:
    unmet = {p.id: len(set(p.deps)) for p in plan.prompts}
    queue = [p for p, n in unmet.items() if n == 0]
    seen = 0
    while queue:
        current = queue.pop()
        seen += 1
        for dependent in dependents[current]:
            unmet[dependent] -= 1
            if unmet[dependent] == 0:
                queue.append(dependent)
    if seen != len(unmet):
        stuck = sorted(p for p, n in unmet.items() if n > 0)
        raise PlanError(f"the prompt graph has a cycle among {', '.join(stuck[:5])}")


def default_weight(spec: PromptSpec) -> float:
    """A prompt's expected duration, before its request exists, in expected output tokens.

    Generation time is dominated by the tokens written: an analysis writes a paragraph or so per symbol
    (about 150 tokens each), a page prompt a summary and an internal-structure section (about 450 tokens),
    a little longer the more summaries it is given to combine.
    """
    if spec.kind == "analysis":
        return 60.0 + 150.0 * len(spec.symbols)
    base = {"module": 450.0, "package": 300.0, "index": 500.0}.get(spec.kind, 450.0)
    return base + 20.0 * len(spec.deps)


def critical_path_lengths(plan: PagePlan, weight: Callable[[PromptSpec], float]) -> dict[str, float]:
    """For every prompt, the longest chain of weights from it to the end of the graph (itself included).

    Running the prompt with the longest remaining chain first keeps the makespan close to its lower bound.
    """
    dependents: dict[str, list[str]] = {p.id: [] for p in plan.prompts}
    for spec in plan.prompts:
        for dep in set(spec.deps):
            dependents[dep].append(spec.id)
    order = _topological(plan, dependents)
    lengths: dict[str, float] = {}
    for prompt_id in reversed(order):
        after = max((lengths[d] for d in dependents[prompt_id]), default=0.0)
        lengths[prompt_id] = weight(plan.prompt(prompt_id)) + after
    return lengths


def _topological(plan: PagePlan, dependents: Mapping[str, list[str]]) -> list[str]:
    unmet = {p.id: len(set(p.deps)) for p in plan.prompts}
    queue = [p.id for p in plan.prompts if unmet[p.id] == 0]
    order: list[str] = []
    while queue:
        current = queue.pop()
        order.append(current)
        for dependent in dependents[current]:
            unmet[dependent] -= 1
            if unmet[dependent] == 0:
                queue.append(dependent)
    if len(order) != len(unmet):
        raise PlanError("the prompt graph has a cycle")
    return order
