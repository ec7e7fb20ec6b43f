"""Page markdown: static sections computed from facts, plus sanitised model prose."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sphinxcontrib_llmdocs.extract.facts import ModuleFacts, ProjectFacts, SymbolFacts
from sphinxcontrib_llmdocs.plan.model import Page, PagePlan
from sphinxcontrib_llmdocs.render.mermaid import flowchart
from sphinxcontrib_llmdocs.render.sanitize import escape_inline, sanitize_prose

__all__ = ["RenderContext", "RenderedPage", "render_page"]


@dataclass(frozen=True)
class RenderContext:
    """What rendering reads: facts, plan, answers by prompt id, failures, and who wrote the prose."""

    facts: ProjectFacts
    plan: PagePlan
    answers: Mapping[str, Mapping[str, object]]
    failures: Mapping[str, str]
    writers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RenderedPage:
    """A page's markdown and what rendering noticed (sanitiser problems, missing answers)."""

    page: Page
    markdown: str
    problems: tuple[str, ...]


class _Writer:
    def __init__(self, ctx: RenderContext, page: Page) -> None:
        self.ctx = ctx
        self.page = page
        self.lines: list[str] = []
        self.problems: list[str] = []

    def heading(self, level: int, text: str) -> None:
        self.lines.extend([f"{'#' * level} {text}", ""])

    def para(self, text: str) -> None:
        if text.strip():
            self.lines.extend([text.rstrip(), ""])

    def prose(self, prompt_id: str, key: str, answer: Mapping[str, object] | None = None) -> str:
        answer = self.ctx.answers.get(prompt_id) if answer is None else answer
        value = answer.get(key) if answer else None
        if not isinstance(value, str) or not value.strip():
            if prompt_id in self.ctx.failures:
                self.problems.append(f"prompt {prompt_id} failed: {self.ctx.failures[prompt_id]}")
            return ""
        safe = sanitize_prose(value)
        if self.ctx.writers.get(prompt_id) != "offline":
            # Offline prose is the user's own docstrings: neutralised all the same, but not a misbehaviour.
            self.problems.extend(f"prompt {prompt_id}: {p}" for p in safe.problems)
        return safe.text

    def link(self, dotted: str) -> str:
        target = self.ctx.plan.page_for(dotted)
        if target is None:
            return f"`{dotted}`"
        return f"{{doc}}`{dotted} </{target.docname}>`"

    def bullets(self, items: list[str]) -> None:
        if items:
            self.lines.extend([f"- {item}" for item in items] + [""])

    def mermaid(self, diagram: str | None) -> bool:
        if diagram is None:
            return False
        self.lines.extend(["```{mermaid}", diagram, "```", ""])
        return True

    def toctree(self, docnames: list[str]) -> None:
        if docnames:
            self.lines.extend(["```{toctree}", ":hidden:", "", *(f"/{d}" for d in docnames), "```", ""])

    def text(self) -> str:
        return "\n".join(self.lines).rstrip() + "\n"


def render_page(page: Page, ctx: RenderContext) -> RenderedPage:
    """Render ``page`` to MyST markdown. Pure: the same inputs give the same text."""
    if page.kind == "symbol":
        from sphinxcontrib_llmdocs.render.symbol_page import render_symbol_page  # imports this module

        return render_symbol_page(page, ctx)
    writer = _Writer(ctx, page)
    if page.kind == "index":
        _render_index(writer)
    else:
        _render_module(writer, ctx.facts.module(page.name))
    _writer_note(writer)
    return RenderedPage(page, writer.text(), tuple(dict.fromkeys(writer.problems)))


def _writer_note(w: _Writer) -> None:
    writers = sorted({w.ctx.writers[p] for p in w.page.prompts if p in w.ctx.writers})
    if not writers:
        return
    if writers == ["offline"]:
        who = "the offline writer of sphinxcontrib-llmdocs, from docstrings and static facts"
    else:
        who = "a language model (" + ", ".join(escape_inline(x) for x in writers) + ")"
    w.para(f"*The prose on this page was written by {who}; the lists and diagrams come from the code.*")


def _module_page_summary(ctx: RenderContext, dotted: str) -> str:
    module = ctx.facts.module(dotted)
    prompt = f"package:{dotted}" if module.is_package else f"module:{dotted}"
    answer = ctx.answers.get(prompt)
    value = answer.get("summary") if answer else None
    if not isinstance(value, str) or not value.strip():
        return ""
    first = value.strip().split("\n\n")[0]
    sentence = first.split(". ")[0].rstrip(".") + "."
    return sanitize_prose(sentence).text


def _render_index(w: _Writer) -> None:
    ctx = w.ctx
    w.heading(1, escape_inline(w.page.title))
    w.heading(2, "Overview")
    w.para(w.prose("index", "overview"))
    top = [ctx.plan.page(c) for c in w.page.children]
    if top:
        w.heading(2, "Packages and Modules")
        w.bullets(
            [w.link(p.name) + (f" — {s}" if (s := _module_page_summary(ctx, p.name)) else "") for p in top]
        )
    packages = [m.name for m in ctx.facts.modules if m.is_package]
    edges = set()
    for module in ctx.facts.modules:
        source = module.name if module.is_package else module.package
        for dep in module.internal_imports:
            target = dep if ctx.facts.module(dep).is_package else ctx.facts.module(dep).package
            if source and target and source != target:
                edges.add((source, target))
    diagram = flowchart(packages, edges, direction="TD")
    if diagram:
        w.heading(2, "Package Dependency Diagram")
        w.mermaid(diagram)
    w.toctree([p.docname for p in top])


def _render_module(w: _Writer, module: ModuleFacts) -> None:
    ctx = w.ctx
    plan = ctx.plan
    is_package = module.is_package
    w.heading(1, escape_inline(w.page.title))

    w.heading(2, "Summary")
    summary = w.prose(f"package:{module.name}", "summary") if is_package else ""
    summary = summary or w.prose(f"module:{module.name}", "summary")
    w.para(summary or f"`{module.name}` — no summary could be written for this module.")
    w.para(f"Source: `{module.relpath}` ({module.line_count} lines)")

    if is_package:
        children = [plan.page(c) for c in w.page.children]
        subpackages = [p for p in children if p.kind == "package"]
        submodules = [p for p in children if p.kind == "module"]
        for title, group in (("Sub-packages", subpackages), ("Modules", submodules)):
            if group:
                w.heading(2, title)
                w.bullets(
                    [
                        w.link(p.name) + (f" — {s}" if (s := _module_page_summary(ctx, p.name)) else "")
                        for p in group
                    ]
                )

    imports = [w.link(d) for d in module.internal_imports]
    imports += [f"`{e}` (external)" for e in module.external_imports]
    if imports:
        w.heading(2, "Imports")
        w.bullets(imports)
    importers = ctx.facts.imported_by(module.name)
    if importers:
        w.heading(2, "Imported By")
        w.bullets([w.link(d) for d in importers])

    nodes = [
        module.name,
        *module.internal_imports,
        *(i for i in importers if i not in module.internal_imports),
    ]
    edges = [(module.name, d) for d in module.internal_imports] + [(i, module.name) for i in importers]
    diagram = flowchart(nodes, edges, highlight=module.name)
    if diagram:
        w.heading(2, "Dependency Diagram")
        w.mermaid(diagram)

    analyses = _analyses_by_name(w, module)
    public = module.public_symbols()
    for title, kinds in (
        ("Classes", {"class"}),
        ("Functions", {"function", "async function"}),
        ("Constants", {"constant"}),
    ):
        symbols = [s for s in public if s.kind in kinds]
        if symbols:
            w.heading(2, title)
            for symbol in symbols:
                _render_symbol(w, module, symbol, analyses.get(symbol.qualname))

    structure = w.prose(f"module:{module.name}", "internal_structure")
    if structure:
        w.heading(2, "Internal Structure")
        w.para(structure)

    related = _related(ctx, module, w.page)
    if related:
        w.heading(2, "Related Pages")
        w.bullets([w.link(r) for r in related])
    w.toctree([plan.page(c).docname for c in w.page.children])


def _analyses_by_name(w: _Writer, module: ModuleFacts) -> dict[str, tuple[str, Mapping[str, object]]]:
    found: dict[str, tuple[str, Mapping[str, object]]] = {}
    for prompt_id in w.page.prompts:
        if not prompt_id.startswith("analysis:"):
            continue
        answer = w.ctx.answers.get(prompt_id)
        if answer is None:
            if prompt_id in w.ctx.failures:
                w.problems.append(f"prompt {prompt_id} failed: {w.ctx.failures[prompt_id]}")
            continue
        items = answer.get("symbols")
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                found[item["name"]] = (prompt_id, item)
    return found


def _render_symbol(
    w: _Writer,
    module: ModuleFacts,
    symbol: SymbolFacts,
    analysis: tuple[str, Mapping[str, object]] | None,
) -> None:
    w.heading(3, f"`{symbol.name}`")
    if symbol.kind == "class":
        bases = f"({', '.join(symbol.bases)})" if symbol.bases else ""
        signature = f"class {symbol.name}{bases}"
    elif symbol.kind == "constant":
        signature = f"{symbol.name}{symbol.signature}"
    else:
        prefix = "async def" if symbol.kind == "async function" else "def"
        signature = f"{prefix} {symbol.name}{symbol.signature}"
    w.para(f"{_code(signature)} — `{module.relpath}:{symbol.line}`")
    if (sub := w.ctx.plan.symbol_page_for(symbol.qualname)) is not None:
        w.para(f"{{doc}}`More about {symbol.name} </{sub.docname}>`")
    if analysis is not None:
        prompt_id, answer = analysis
        for key in ("overview", "details", "side_effects", "usage_patterns"):
            text = w.prose(prompt_id, key, answer)
            if text:
                label = {"side_effects": "Side effects: ", "usage_patterns": "Usage: "}.get(key, "")
                w.para(f"{label}{text}" if label and "\n" not in text else text)
    elif symbol.docstring:
        w.para(sanitize_prose(symbol.docstring.strip().split("\n\n")[0]).text)
    if symbol.kind == "class":
        members = [m for m in symbol.members if m.is_public and not m.name.startswith("__")]
        if members:
            w.bullets(
                [
                    f"{_code(m.name + (m.signature if m.kind != 'property' else ''))} — {m.kind}"
                    for m in members
                ]
            )


def _code(text: str) -> str:
    """Inline code that survives any backticks inside ``text``."""
    fence = "``" if "`" in text else "`"
    pad = " " if "`" in text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _related(ctx: RenderContext, module: ModuleFacts, page: Page) -> list[str]:
    related: list[str] = []
    if module.package and ctx.plan.page_for(module.package) is not None:
        related.append(module.package)
    related.extend(module.internal_imports)
    related.extend(ctx.facts.imported_by(module.name))
    return [r for r in dict.fromkeys(related) if r != module.name]
