"""The page-renderer hook: a page is rendered as soon as every prompt it shows has settled."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from sphinxcontrib_llmdocs.plan.model import Page

__all__ = ["PageRenderer", "ReadyPageHook", "RunView"]

T = TypeVar("T")


@dataclass(frozen=True)
class RunView:
    """The answers, failures and writers known when a page became ready.

    Everything a page reads (its own prompts and, through them, their dependencies) has settled by then,
    so rendering now gives the same text as rendering at the end of the run.
    """

    answers: Mapping[str, Mapping[str, object]]
    failures: Mapping[str, str]
    models: Mapping[str, str]


class ReadyPageHook(Protocol):
    """What the scheduler calls when a page is ready."""

    def page_ready(self, page: Page, view: RunView) -> None:
        """``page`` has every answer it will get."""
        ...


class PageRenderer(Generic[T]):
    """Renders each page the moment it is ready and keeps the result by page id.

    :param render: turns a ready page and the run so far into the rendered page.
    """

    def __init__(self, render: Callable[[Page, RunView], T]) -> None:
        self.render = render
        self.rendered: dict[str, T] = {}

    def page_ready(self, page: Page, view: RunView) -> None:
        """Render ``page`` now."""
        self.rendered[page.id] = self.render(page, view)
