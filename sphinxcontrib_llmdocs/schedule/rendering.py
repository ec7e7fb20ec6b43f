"""The page-renderer hook: a page is rendered as soon as everything it shows has settled.

What a page shows is the renderer's business (its own prompts, and for instance the one-line summaries of
related pages, which need not be among its dependencies). So the hook does not guess: it records which
answers a rendering looked up, and when some of them were still pending it renders the page again once they
have all settled. The last rendering of a page therefore reads only final answers, whatever order they
arrived in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from sphinxcontrib_llmdocs.plan.model import Page

__all__ = ["AnswerReads", "PageRenderer", "ReadyPageHook", "RunView"]

T = TypeVar("T")


class AnswerReads(Mapping[str, Mapping[str, object]]):
    """A live, read-only view of the answers that notes every prompt id looked up."""

    def __init__(self, answers: Mapping[str, Mapping[str, object]]) -> None:
        self._answers = answers
        #: Prompt ids looked up since the last :meth:`reset`.
        self.read: set[str] = set()
        #: Whether something iterated over all answers (then every prompt counts as read).
        self.read_all = False

    def reset(self) -> None:
        """Forget what was read."""
        self.read = set()
        self.read_all = False

    def __getitem__(self, key: str) -> Mapping[str, object]:
        self.read.add(key)
        return self._answers[key]

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.read.add(key)
        return key in self._answers

    def __iter__(self) -> Iterator[str]:
        self.read_all = True
        return iter(self._answers)

    def __len__(self) -> int:
        self.read_all = True
        return len(self._answers)


@dataclass(frozen=True)
class RunView:
    """The run as a renderer sees it: answers (recording reads), failures, writers, and which prompts are
    still pending."""

    answers: AnswerReads
    failures: Mapping[str, str]
    models: Mapping[str, str]
    pending: Callable[[str], bool] = field(default=lambda prompt_id: False)


class ReadyPageHook(Protocol):
    """What the scheduler tells a renderer."""

    def page_ready(self, page: Page, view: RunView) -> None:
        """Every prompt of ``page`` has settled."""
        ...

    def prompt_settled(self, prompt_id: str, view: RunView) -> None:
        """``prompt_id`` has its answer (or failed)."""
        ...

    def finish(self, view: RunView) -> None:
        """Every prompt has settled."""
        ...


class PageRenderer(Generic[T]):
    """Renders each page the moment it is ready and keeps the result by page id; renders it again when
    answers it looked up were still pending, once they have all settled.

    :param render: turns a page and the run so far into the rendered page; it must read answers only
        through ``view.answers``.
    """

    def __init__(self, render: Callable[[Page, RunView], T]) -> None:
        self.render = render
        self.rendered: dict[str, T] = {}
        #: How often each page was rendered (1 for a page whose reads had all settled the first time).
        self.renderings: dict[str, int] = {}
        self._pages: dict[str, Page] = {}
        self._waiting_on: dict[str, set[str]] = {}  # page id -> pending prompt ids it read
        self._readers: dict[str, set[str]] = {}  # pending prompt id -> page ids that read it

    @property
    def provisional(self) -> tuple[str, ...]:
        """Pages whose last rendering read answers that were still pending."""
        return tuple(sorted(self._waiting_on))

    def page_ready(self, page: Page, view: RunView) -> None:
        """Render ``page`` now."""
        self._pages[page.id] = page
        self._render(page, view)

    def prompt_settled(self, prompt_id: str, view: RunView) -> None:
        """Render again the pages that were waiting for ``prompt_id`` and nothing else."""
        for page_id in sorted(self._readers.pop(prompt_id, ())):
            waiting = self._waiting_on.get(page_id)
            if waiting is None:
                continue
            waiting.discard(prompt_id)
            if not waiting:
                del self._waiting_on[page_id]
                self._render(self._pages[page_id], view)

    def finish(self, view: RunView) -> None:
        """Render again what is still provisional (a rendering that iterated over all answers)."""
        for page_id in sorted(self._waiting_on):
            del self._waiting_on[page_id]
            self._render(self._pages[page_id], view, final=True)
        self._readers.clear()

    def _render(self, page: Page, view: RunView, *, final: bool = False) -> None:
        view.answers.reset()
        self.rendered[page.id] = self.render(page, view)
        self.renderings[page.id] = self.renderings.get(page.id, 0) + 1
        if final:
            return
        if view.answers.read_all:
            # It may have read anything: only the end of the run is safe.
            self._waiting_on[page.id] = {"*"}
            return
        pending = {p for p in view.answers.read if view.pending(p)}
        if pending:
            self._waiting_on[page.id] = pending
            for prompt_id in pending:
                self._readers.setdefault(prompt_id, set()).add(page.id)
