"""The plan: pages to write and the prompt graph that feeds them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = ["Page", "PageKind", "PagePlan", "PromptKind", "PromptSpec"]

PageKind = Literal["index", "package", "module", "symbol"]
PromptKind = Literal["analysis", "module", "package", "index"]


@dataclass(frozen=True)
class Page:
    """One generated page.

    :param id: stable id such as ``module:pkg.mod``; also the directive's argument.
    :param docname: Sphinx document name, e.g. ``llmdocs/pkg/mod``.
    :param name: the dotted module or package name; the qualified name for a symbol page; the project name
        for the index.
    :param children: ids of the pages this page's toctree lists.
    :param prompts: ids of the prompts whose answers this page shows.
    """

    id: str
    kind: PageKind
    name: str
    docname: str
    title: str
    parent: str | None
    children: tuple[str, ...] = ()
    prompts: tuple[str, ...] = ()


@dataclass(frozen=True)
class PromptSpec:
    """A node of the prompt graph.

    :param target: the module or package the prompt is about (the project name for the index).
    :param deps: ids of the prompts whose answers this prompt's evidence includes; the prompt waits for them.
    :param symbols: for analysis prompts, the qualified names of the symbols of this chunk.
    """

    id: str
    kind: PromptKind
    page_id: str
    target: str
    model: str
    deps: tuple[str, ...] = ()
    symbols: tuple[str, ...] = ()


@dataclass(frozen=True)
class PagePlan:
    """Pages, prompts and the module order; built by :func:`~sphinxcontrib_llmdocs.plan.plan_project`."""

    project: str
    output_dir: str
    pages: tuple[Page, ...]
    prompts: tuple[PromptSpec, ...]
    components: tuple[tuple[str, ...], ...]
    _pages: dict[str, Page] = field(default_factory=dict, repr=False, compare=False)
    _prompts: dict[str, PromptSpec] = field(default_factory=dict, repr=False, compare=False)
    _module_pages: dict[str, Page] = field(default_factory=dict, repr=False, compare=False)
    _symbol_pages: dict[str, Page] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._pages.update({p.id: p for p in self.pages})
        self._prompts.update({p.id: p for p in self.prompts})
        self._module_pages.update({p.name: p for p in self.pages if p.kind in ("module", "package")})
        self._symbol_pages.update({p.name: p for p in self.pages if p.kind == "symbol"})

    def page(self, page_id: str) -> Page:
        """The page with id ``page_id``."""
        return self._pages[page_id]

    def prompt(self, prompt_id: str) -> PromptSpec:
        """The prompt with id ``prompt_id``."""
        return self._prompts[prompt_id]

    def page_for(self, dotted: str) -> Page | None:
        """The page documenting module or package ``dotted``, if any."""
        return self._module_pages.get(dotted)

    def symbol_page_for(self, qualname: str) -> Page | None:
        """The sub-page of the class or function ``qualname``, if it has one."""
        return self._symbol_pages.get(qualname)

    @property
    def index(self) -> Page:
        """The root page of the generated tree."""
        return self._pages["index"]
