"""The sub-page of a large or central class or function: owner, signature, analysis, bases, members, users."""

from __future__ import annotations

import json
from collections.abc import Mapping

from sphinxcontrib_llmdocs.extract.facts import ModuleFacts, SymbolFacts
from sphinxcontrib_llmdocs.plan.model import Page
from sphinxcontrib_llmdocs.plan.relations import SymbolIndex
from sphinxcontrib_llmdocs.render.pages import RenderContext, RenderedPage, first_sentence
from sphinxcontrib_llmdocs.render.sanitize import escape_inline, sanitize_prose

__all__ = ["render_symbol_page"]

#: Analysis fields shown on the page, with their headings, in this order.
_SECTIONS = (
    ("overview", "Overview"),
    ("details", "Details"),
    ("key_members", "Key Members"),
    ("side_effects", "Side Effects"),
    ("reads_writes", "Reads and Writes"),
    ("invariants", "Invariants"),
    ("usage_patterns", "Usage"),
)


def render_symbol_page(page: Page, ctx: RenderContext) -> RenderedPage:
    """Render the page of the symbol ``page.name`` to MyST markdown. Pure: same inputs, same text."""
    module = _module_of(ctx, page.name)
    symbol = next(s for s in module.symbols if s.qualname == page.name)
    lines: list[str] = []
    problems: list[str] = []

    def para(text: str) -> None:
        if text.strip():
            lines.extend([text.rstrip(), ""])

    def heading(level: int, text: str) -> None:
        lines.extend([f"{'#' * level} {text}", ""])

    heading(1, escape_inline(page.title))
    owner = ctx.plan.page(page.parent) if page.parent else None
    owner_link = f"{{doc}}`{module.name} </{owner.docname}>`" if owner else f"`{module.name}`"
    para(f"Defined in {owner_link}, `{module.relpath}:{symbol.line}`.")
    para(_code(_signature(symbol)))

    index = SymbolIndex(ctx.facts)
    answer = _analysis(ctx, page, symbol.qualname, problems)
    writer = ctx.writers.get(page.prompts[0]) if page.prompts else None
    wrote = False
    for key, title in _SECTIONS:
        value = answer.get(key) if answer else None
        if not isinstance(value, str) or not value.strip():
            continue
        safe = sanitize_prose(value)
        if writer != "offline":
            problems.extend(f"prompt {page.prompts[0]}: {p}" for p in safe.problems)
        if key != "overview":
            heading(2, title)
        para(safe.text)
        wrote = True
    if not wrote:
        doc = (symbol.docstring or "").strip().split("\n\n")[0]
        para(sanitize_prose(doc).text if doc else f"`{symbol.name}` has no analysis and no docstring.")

    if symbol.bases:
        heading(2, "Bases")
        lines.extend([f"- {_base_link(ctx, index, module, b)}" for b in symbol.bases] + [""])

    members = [m for m in symbol.members if m.is_public]
    if members:
        heading(2, "Members")
        for member in members:
            doc = (member.docstring or "").strip().split("\n\n")[0]
            summary = " ".join(doc.split())
            text = f"{_code(_signature(member))} — {member.kind}"
            if summary:
                text += f": {sanitize_prose(summary).text}"
            lines.append(f"- {text}")
        lines.append("")

    users = index.user_modules(symbol.qualname)
    if users:
        heading(2, "Used By")
        lines.extend([f"- {_module_link(ctx, u)}" for u in users] + [""])

    if writer is not None:
        who = (
            "the offline writer of sphinxcontrib-llmdocs, from docstrings and static facts"
            if writer == "offline"
            else f"a language model ({escape_inline(writer)})"
        )
        para(f"*The prose on this page was written by {who}; the lists come from the code.*")
    body = "\n".join(lines).rstrip() + "\n"
    overview = answer.get("overview") if answer else None
    description = first_sentence(overview if isinstance(overview, str) else symbol.docstring or "")
    if description:
        # The page's meta description, as on module pages; a JSON string is a safe YAML scalar.
        body = f"---\nmyst:\n  html_meta:\n    description: {json.dumps(description)}\n---\n\n{body}"
    return RenderedPage(page, body, tuple(dict.fromkeys(problems)), description)


def _module_of(ctx: RenderContext, qualname: str) -> ModuleFacts:
    name = qualname
    while name:
        name = name.rpartition(".")[0]
        if ctx.facts.has_module(name):
            return ctx.facts.module(name)
    raise KeyError(qualname)


def _analysis(
    ctx: RenderContext, page: Page, qualname: str, problems: list[str]
) -> Mapping[str, object] | None:
    for prompt_id in page.prompts:
        answer = ctx.answers.get(prompt_id)
        if answer is None:
            if prompt_id in ctx.failures:
                problems.append(f"prompt {prompt_id} failed: {ctx.failures[prompt_id]}")
            continue
        items = answer.get("symbols")
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and item.get("name") == qualname:
                return item
    return None


def _signature(symbol: SymbolFacts) -> str:
    if symbol.kind == "class":
        return f"class {symbol.name}" + (f"({', '.join(symbol.bases)})" if symbol.bases else "")
    if symbol.kind in ("constant", "property"):
        return f"{symbol.name}{symbol.signature if symbol.kind == 'constant' else ''}"
    prefix = "async def" if symbol.kind.startswith("async") else "def"
    return f"{prefix} {symbol.name}{symbol.signature}"


def _base_link(ctx: RenderContext, index: SymbolIndex, module: ModuleFacts, base: str) -> str:
    head, _, rest = base.partition(".")
    target: str | None = None
    for imp in module.imports:
        if imp.internal and head in imp.names:
            target = index.resolve_import(imp.internal, head)
    if target is None and f"{module.name}.{base}" in index.symbols:
        target = f"{module.name}.{base}"
    if target is None or rest:
        return _code(base)
    page = ctx.plan.symbol_page_for(target)
    owner = index.module_of[target].name
    if page is not None:
        return f"{{doc}}`{base} </{page.docname}>`"
    return f"{_code(base)} (in {_module_link(ctx, owner)})"


def _module_link(ctx: RenderContext, dotted: str) -> str:
    page = ctx.plan.page_for(dotted)
    return f"{{doc}}`{dotted} </{page.docname}>`" if page is not None else f"`{dotted}`"


def _code(text: str) -> str:
    fence = "``" if "`" in text else "`"
    pad = " " if "`" in text else ""
    return f"{fence}{pad}{text}{pad}{fence}"
