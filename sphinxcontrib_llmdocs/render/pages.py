"""Page markdown: static sections computed from facts, plus sanitised model prose.

Anatomy (empty sections are omitted):

- module: Summary, Imports (internal linked, external listed), Imported By, Dependency Diagram, Classes
  (with a class diagram), Functions, Constants (each: signature, location, analysis), Internal Structure,
  Related Pages;
- package: Summary, Sub-packages, Modules (one-line summaries), Package Diagram, then the module sections
  for what its ``__init__`` holds;
- index: Overview, Packages and Modules, Project Dependency Diagram.

Every page starts with front matter carrying its HTML meta description (the summary's first sentence) and
ends with a note saying who wrote the prose. Code mentions in prose become ``{llmdocs-ref}`` roles.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sphinxcontrib_llmdocs.extract.facts import ModuleFacts, ProjectFacts, SymbolFacts
from sphinxcontrib_llmdocs.plan.model import Page, PagePlan
from sphinxcontrib_llmdocs.render.mentions import SymbolIndex, is_mention, mention_markup, module_label
from sphinxcontrib_llmdocs.render.mermaid import ClassBox, class_diagram, flowchart, too_large_note
from sphinxcontrib_llmdocs.render.sanitize import code_span, escape_inline, plain_text, sanitize_prose

__all__ = ["RenderContext", "RenderedPage", "first_sentence", "render_page"]


@dataclass(frozen=True)
class RenderContext:
    """What rendering reads: facts, plan, answers by prompt id, failures, and who wrote the prose."""

    facts: ProjectFacts
    plan: PagePlan
    answers: Mapping[str, Mapping[str, object]]
    failures: Mapping[str, str]
    writers: Mapping[str, str] = field(default_factory=dict)

    @cached_property
    def symbols(self) -> SymbolIndex:
        """The index code mentions are resolved against (built once per run)."""
        return SymbolIndex(self.facts, self.plan)


@dataclass(frozen=True)
class RenderedPage:
    """A page's markdown and what rendering noticed (sanitiser problems, missing answers).

    :param description: the first sentence of the page's summary, as plain text (meta description,
        ``llms.txt``); empty when there is no summary.
    """

    page: Page
    markdown: str
    problems: tuple[str, ...]
    description: str = ""


def first_sentence(text: str) -> str:
    """The first sentence of ``text``'s first paragraph, as plain text."""
    plain = plain_text(text.strip().split("\n\n")[0]) if text.strip() else ""
    match = re.match(r"(.+?[.!?])(\s|$)", plain)
    sentence = match.group(1) if match else plain
    return sentence[:300].strip()


class _Writer:
    def __init__(self, ctx: RenderContext, page: Page, module: ModuleFacts | None = None) -> None:
        self.ctx = ctx
        self.page = page
        self.module = module
        self.lines: list[str] = []
        self.problems: list[str] = []
        self.description = ""

    def heading(self, level: int, text: str) -> None:
        self.lines.extend([f"{'#' * level} {text}", ""])

    def target(self, label: str) -> None:
        self.lines.extend([f"({label})=", ""])

    def para(self, text: str) -> None:
        if text.strip():
            self.lines.extend([text.rstrip(), ""])

    def mention(self, code: str) -> str | None:
        if not is_mention(code):
            return None
        return mention_markup(code, self.ctx.symbols.resolve(code, self.module))

    def prose(self, prompt_id: str, key: str, answer: Mapping[str, object] | None = None) -> str:
        answer = self.ctx.answers.get(prompt_id) if answer is None else answer
        value = answer.get(key) if answer else None
        if not isinstance(value, str) or not value.strip():
            if prompt_id in self.ctx.failures:
                self.problems.append(f"prompt {prompt_id} failed: {self.ctx.failures[prompt_id]}")
            return ""
        safe = sanitize_prose(value, code=self.mention)
        if self.ctx.writers.get(prompt_id) != "offline":
            # Offline prose is the user's own docstrings: neutralised all the same, but not a misbehaviour.
            self.problems.extend(f"prompt {prompt_id}: {p}" for p in safe.problems)
        return safe.text

    def summary(self, prompt_id: str, key: str) -> str:
        """Prose that is also the page's summary: its first sentence becomes the meta description."""
        text = self.prose(prompt_id, key)
        if text and not self.description:
            answer = self.ctx.answers.get(prompt_id) or {}
            self.description = first_sentence(str(answer.get(key, "")))
        return text

    def link(self, dotted: str) -> str:
        target = self.ctx.plan.page_for(dotted)
        if target is None:
            return code_span(dotted)
        # A role's text is literal (backslashes would show); dotted names hold no `<`, `>` or backtick.
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
        """A hidden toctree placed right under the page title, so the sidebar nests the child pages under
        the page itself rather than under its last section."""
        if docnames:
            block = ["```{toctree}", ":hidden:", "", *(f"/{d}" for d in docnames), "```", ""]
            title = next((i for i, line in enumerate(self.lines) if line.startswith("# ")), None)
            at = len(self.lines) if title is None else title + 2
            self.lines[at:at] = block

    def text(self) -> str:
        body = "\n".join(self.lines).rstrip() + "\n"
        if not self.description:
            return body
        # JSON strings are valid YAML scalars: no quoting rule of YAML can be tripped by the text.
        meta = json.dumps(self.description, ensure_ascii=True)
        return f"---\nmyst:\n  html_meta:\n    description: {meta}\n---\n\n{body}"


def render_page(page: Page, ctx: RenderContext) -> RenderedPage:
    """Render ``page`` to MyST markdown. Pure: the same inputs give the same text."""
    if page.kind == "symbol":
        from sphinxcontrib_llmdocs.render.symbol_page import render_symbol_page  # imports this module

        return render_symbol_page(page, ctx)
    if page.kind == "index":
        writer = _Writer(ctx, page)
        _render_index(writer)
    elif page.kind in {"module", "package"}:
        module = ctx.facts.module(page.name)
        writer = _Writer(ctx, page, module)
        _render_module(writer, module)
    else:
        # A page kind this renderer does not know yet: a titled page and a warning, never a crash.
        writer = _Writer(ctx, page)
        writer.heading(1, escape_inline(page.title))
        writer.problems.append(f"no renderer for page kind {page.kind!r}")
    _writer_note(writer)
    return RenderedPage(page, writer.text(), _grouped(writer.problems), writer.description)


def _grouped(problems: list[str]) -> tuple[str, ...]:
    """One message per misbehaving prompt (``prompt ID misbehaved: a; b``); failures stay as they are."""
    by_prompt: dict[str, list[str]] = {}
    out: list[str] = []
    for problem in dict.fromkeys(problems):
        prompt, sep, what = problem.partition(": ")
        if sep and prompt.startswith("prompt ") and " " not in prompt.removeprefix("prompt "):
            if prompt not in by_prompt:
                by_prompt[prompt] = []
                out.append(prompt)
            by_prompt[prompt].append(what)
        else:
            out.append(problem)
    return tuple(
        f"{item} misbehaved: {'; '.join(by_prompt[item])}" if item in by_prompt else item for item in out
    )


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
    """A page's one-line summary for lists on other pages: plain text, escaped."""
    module = ctx.facts.module(dotted)
    prompt = f"package:{dotted}" if module.is_package else f"module:{dotted}"
    answer = ctx.answers.get(prompt)
    value = answer.get("summary") if answer else None
    if not isinstance(value, str) or not value.strip():
        return ""
    return escape_inline(first_sentence(value))


def _summarised_links(w: _Writer, names: list[str]) -> list[str]:
    return [w.link(n) + (f" — {s}" if (s := _module_page_summary(w.ctx, n)) else "") for n in names]


def _diagram(w: _Writer, title: str, nodes: list[str], edges: list[tuple[str, str]], **kw: Any) -> None:
    nodes = list(dict.fromkeys(nodes))
    note = too_large_note(len(nodes), len(set(edges)), "modules")
    if note:
        w.heading(2, title)
        w.para(note)
        return
    diagram = flowchart(nodes, edges, **kw)
    if diagram:
        w.heading(2, title)
        w.mermaid(diagram)


def _render_index(w: _Writer) -> None:
    ctx = w.ctx
    w.heading(1, escape_inline(w.page.title))
    overview = w.summary("index", "overview")
    if overview:
        w.heading(2, "Overview")
        w.para(overview)
    top = [ctx.plan.page(c) for c in w.page.children]
    if top:
        w.heading(2, "Packages and Modules")
        w.bullets(_summarised_links(w, [p.name for p in top]))
    packages = [m.name for m in ctx.facts.modules if m.is_package]
    if len(packages) >= 2:

        def package_of(dotted: str) -> str | None:
            module = ctx.facts.module(dotted)
            return module.name if module.is_package else module.package

        edges, dashed = _grouped_edges(ctx, package_of)
        _diagram(w, "Project Dependency Diagram", packages, edges, direction="TD", dashed=dashed)
    else:
        # One package (or none): the project's structure is its modules' imports.
        modules = [m.name for m in ctx.facts.modules]
        edges, dashed = _grouped_edges(ctx, lambda dotted: dotted)
        _diagram(w, "Project Dependency Diagram", modules, edges, direction="TD", dashed=dashed)
    w.toctree([p.docname for p in top])


def _render_module(w: _Writer, module: ModuleFacts) -> None:
    ctx = w.ctx
    plan = ctx.plan
    is_package = module.is_package
    w.target(module_label(module.name))
    w.heading(1, escape_inline(w.page.title))

    w.heading(2, "Summary")
    summary = w.summary(f"package:{module.name}", "summary") if is_package else ""
    summary = summary or w.summary(f"module:{module.name}", "summary")
    w.para(summary or f"{code_span(module.name)} — no summary could be written for this module.")
    w.para(f"Source: {code_span(module.relpath)} ({module.line_count} lines)")

    if is_package:
        children = [plan.page(c) for c in w.page.children]
        for title, kind in (("Sub-packages", "package"), ("Modules", "module")):
            group = [p.name for p in children if p.kind == kind]
            if group:
                w.heading(2, title)
                w.bullets(_summarised_links(w, group))
        _package_diagram(w, module)

    if module.reexports:
        # What ``from <module> import X`` offers that is defined elsewhere: often a package's public API.
        w.heading(2, "Re-exports")
        w.bullets(
            [
                f"{mention_markup(name, target, counted=False)} — from {w.link(target.rpartition('.')[0])}"
                if ctx.plan.page_for(target.rpartition(".")[0])
                else mention_markup(name, target, counted=False)
                for name, target in module.reexports
            ]
        )

    type_only = set(module.type_only_imports)
    imports = [
        w.link(d) + (" (type-only: under `TYPE_CHECKING`)" if d in type_only else "")
        for d in module.internal_imports
    ]
    # External modules link to their documentation when intersphinx knows them, else stay literal.
    imports += [
        f"{mention_markup(e, None, counted=False) if is_mention(e) else code_span(e)} (external)"
        for e in module.external_imports
    ]
    if imports:
        w.heading(2, "Imports")
        w.bullets(imports)
    importers = list(ctx.facts.imported_by(module.name))
    if importers:
        w.heading(2, "Imported By")
        w.bullets(
            [
                w.link(d) + (" (type-only)" if module.name in ctx.facts.module(d).type_only_imports else "")
                for d in importers
            ]
        )

    nodes = [
        module.name,
        *module.internal_imports,
        *(i for i in importers if i not in module.internal_imports),
    ]
    edges = [(module.name, d) for d in module.internal_imports] + [(i, module.name) for i in importers]
    dashed = {(module.name, d) for d in type_only} | {
        (i, module.name) for i in importers if module.name in ctx.facts.module(i).type_only_imports
    }
    _diagram(w, "Dependency Diagram", nodes, edges, highlight=module.name, dashed=dashed)

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
            if title == "Classes":
                w.mermaid(_class_structure(ctx, module, symbols))
            for symbol in symbols:
                _render_symbol(w, module, symbol, analyses.get(symbol.qualname))

    structure = w.prose(f"module:{module.name}", "internal_structure")
    if structure:
        w.heading(2, "Internal Structure")
        w.para(structure)

    related = _related(ctx, module)
    if related:
        w.heading(2, "Related Pages")
        w.bullets(_summarised_links(w, related))
    w.toctree([plan.page(c).docname for c in w.page.children])


def _package_diagram(w: _Writer, package: ModuleFacts) -> None:
    """The package's direct children and the imports between them (a child stands for all below it)."""
    children = [w.ctx.plan.page(c).name for c in w.page.children]
    if not children:
        return

    def child_of(dotted: str) -> str | None:
        return next((c for c in children if dotted == c or dotted.startswith(c + ".")), None)

    edges, dashed = _grouped_edges(w.ctx, child_of)
    _diagram(w, "Package Diagram", children, edges, direction="TD", dashed=dashed)


def _grouped_edges(
    ctx: RenderContext, group: Callable[[str], str | None]
) -> tuple[list[tuple[str, str]], set[tuple[str, str]]]:
    """Import edges between the groups ``group`` puts modules in, and those made of type-only imports
    alone (drawn dotted: nothing imports at run time along them)."""
    edges: set[tuple[str, str]] = set()
    runtime: set[tuple[str, str]] = set()
    for module in ctx.facts.modules:
        source = group(module.name)
        type_only = set(module.type_only_imports)
        for dep in module.internal_imports:
            target = group(dep)
            if source and target and source != target:
                edges.add((source, target))
                if dep not in type_only:
                    runtime.add((source, target))
    return sorted(edges), edges - runtime


def _class_structure(ctx: RenderContext, module: ModuleFacts, classes: list[SymbolFacts]) -> str | None:
    boxes: dict[str, ClassBox] = {}
    inherits: set[tuple[str, str]] = set()
    for cls in classes:
        members = tuple(
            m.name + ("()" if m.kind in _METHOD_KINDS else "")
            for m in cls.members
            if m.is_public and not m.name.startswith("__")
        )
        boxes[cls.name] = ClassBox(cls.name, members)
    for cls in classes:
        for base in cls.bases:
            boxes.setdefault(base, ClassBox(base))
            inherits.add((cls.name, base))
        for sub in cls.derived:  # resolved by extraction, sorted
            short = sub if not sub.startswith(module.name + ".") else sub.rpartition(".")[2]
            boxes.setdefault(short, ClassBox(short))
            inherits.add((short, cls.name))
    return class_diagram(list(boxes.values()), sorted(inherits))


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


_ANALYSIS_LABELS = {"side_effects": "Side effects", "usage_patterns": "Usage"}


def _render_symbol(
    w: _Writer,
    module: ModuleFacts,
    symbol: SymbolFacts,
    analysis: tuple[str, Mapping[str, object]] | None,
) -> None:
    label = w.ctx.symbols.label(symbol.qualname)
    if label:
        w.target(label)
    w.heading(3, code_span(symbol.name))
    if symbol.kind == "class":
        bases = f"({', '.join(symbol.bases)})" if symbol.bases else ""
        signature = f"class {symbol.name}{bases}"
    elif symbol.kind == "constant":
        signature = f"{symbol.name}{symbol.signature}" + (f" = {symbol.value}" if symbol.value else "")
    else:
        prefix = "async def" if symbol.kind == "async function" else "def"
        signature = f"{prefix} {symbol.name}{symbol.signature}"
    nature = f" ({symbol.nature})" if symbol.kind == "class" and symbol.nature else ""
    w.para(f"{code_span(signature)}{nature} — defined at {code_span(f'{module.relpath}:{symbol.line}')}")
    constructor = _constructor(symbol)
    if constructor:
        w.para(f"**Constructor:** {code_span(constructor)}")
    if symbol.overloads:
        w.para("**Overloads:**")
        prefix = "async def" if symbol.kind == "async function" else "def"
        w.bullets([code_span(f"{prefix} {symbol.name}{variant}") for variant in symbol.overloads])
    if (sub := w.ctx.plan.symbol_page_for(symbol.qualname)) is not None:
        w.para(f"{{doc}}`More about {symbol.name} </{sub.docname}>`")
    if analysis is not None:
        prompt_id, answer = analysis
        for key in ("overview", "details", "side_effects", "usage_patterns"):
            text = w.prose(prompt_id, key, answer)
            if not text:
                continue
            title = _ANALYSIS_LABELS.get(key)
            if title and "\n" not in text:
                w.para(f"**{title}:** {text}")
            elif title:
                w.para(f"**{title}:**")
                w.para(text)
            else:
                w.para(text)
    elif symbol.docstring:
        w.para(sanitize_prose(symbol.docstring.strip().split("\n\n")[0], code=w.mention).text)
    if symbol.kind == "class":
        _class_relations(w, module, symbol)


_METHOD_KINDS = {"method", "classmethod", "staticmethod", "function", "async function", "async method"}


def _constructor(symbol: SymbolFacts) -> str | None:
    """How to make an instance: ``Name(params)`` from ``__init__`` without ``self``, else ``None``."""
    if symbol.kind != "class":
        return None
    init = next((m for m in symbol.members if m.name == "__init__" and m.signature.startswith("(")), None)
    if init is None:
        return None
    params = _top_level_split(init.signature)
    return f"{symbol.name}({', '.join(params[1:])})"


def _top_level_split(signature: str) -> list[str]:
    """The parameters of ``(a, b: T = f(x), *, c) -> R``, split at commas outside brackets and quotes."""
    params: list[str] = []
    depth, quote, start = 0, "", 1
    for i, char in enumerate(signature):
        if quote:
            quote = "" if char == quote and signature[i - 1] != "\\" else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                params.append(signature[start:i])
                break
        elif char == "," and depth == 1:
            params.append(signature[start:i])
            start = i + 1
    return [p.strip() for p in params if p.strip()]


def _member_kind(cls: SymbolFacts, member: SymbolFacts) -> str:
    """The kind a reader expects: a dataclass's attributes are its fields, an enum's its members."""
    if member.kind == "class attribute" and cls.nature in {"dataclass", "namedtuple", "typeddict"}:
        return "field"
    if member.kind == "class attribute" and cls.nature == "enum":
        return "enum member"
    return member.kind


def _class_relations(w: _Writer, module: ModuleFacts, symbol: SymbolFacts) -> None:
    index = w.ctx.symbols
    bases = []
    for base in symbol.bases:
        bare = base.split("[")[0]
        # A base that names something is a reference (project or intersphinx); the model wrote none of it,
        # so it is not counted in the grounding report.
        if is_mention(bare):
            bases.append(mention_markup(bare, index.resolve(bare, module), counted=False))
        else:
            bases.append(code_span(base))
    if bases:
        w.para("**Bases:** " + ", ".join(bases))
    subclasses = symbol.derived
    if subclasses:
        w.para(
            "**Subclasses:** "
            + ", ".join(mention_markup(s.rpartition(".")[2], s, counted=False) for s in subclasses)
        )
    members = [m for m in symbol.members if m.is_public and not m.name.startswith("__")]
    if members:
        w.para("**Members:**")
        w.bullets(
            [
                f"{code_span(m.name + ('' if m.kind == 'property' else m.signature))} "
                f"— {_member_kind(symbol, m)}"
                for m in members
            ]
        )


def _related(ctx: RenderContext, module: ModuleFacts) -> list[str]:
    related: list[str] = []
    if module.package and ctx.plan.page_for(module.package) is not None:
        related.append(module.package)
    related.extend(module.internal_imports)
    related.extend(ctx.facts.imported_by(module.name))
    return [r for r in dict.fromkeys(related) if r != module.name]
