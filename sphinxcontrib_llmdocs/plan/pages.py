"""Plan pages and prompts from facts: pure, deterministic, no I/O.

Pages: the index, one page per package and module, and a sub-page for each large or central class or
function (:func:`featured_symbols`). Paths are ``<llmdocs_output_dir>/<dotted/path>``; a package's page is
its folder's ``index``; a symbol page sits in its module's folder. Two module pages on one path (also when
they differ only in letter case) or two modules with one dotted name are errors naming both; a symbol page
whose name is taken gets the first free ``-2``, ``-3``... suffix, in order of qualified name.

Prompts: symbol analyses (a module's public symbols in chunks that fit the evidence budget; a symbol with a
page of its own is a chunk alone), then one module prompt per module, one package prompt per package and
the index prompt. A chunk waits for the chunks holding the symbols it uses (calls when extraction records
them, else the names its module imports); a cycle among chunks is broken by taking the chunks of the cycle
in order of prompt id. A module prompt waits for its own chunks and for the module prompts of the modules it
imports outside its own import cycle; a package prompt for its modules; the index for the top level.
"""

from __future__ import annotations

import json

from sphinxcontrib_llmdocs.config import LlmdocsConfig
from sphinxcontrib_llmdocs.errors import DuplicatePageIdError, PagePathConflictError
from sphinxcontrib_llmdocs.extract.facts import ModuleFacts, ProjectFacts, SymbolFacts
from sphinxcontrib_llmdocs.plan.evidence import source_tokens_guess, symbol_entry
from sphinxcontrib_llmdocs.plan.graph import condensation_order
from sphinxcontrib_llmdocs.plan.model import Page, PagePlan, PromptSpec
from sphinxcontrib_llmdocs.plan.relations import SymbolIndex
from sphinxcontrib_llmdocs.plan.tokens import estimate_tokens

__all__ = ["MAX_CHUNK_SYMBOLS", "featured_symbols", "plan_project"]

#: Most symbols per analysis prompt: the answer (a few hundred tokens per symbol) must fit the output limit.
MAX_CHUNK_SYMBOLS = 12
#: Share of the evidence budget the target entries and source snippets of one chunk may take (judged from
#: the symbols' line spans); the rest is context. One symbol counts at most ``_SYMBOL_SHARE`` of the budget
#: (a longer snippet is shortened in the pack).
_TARGET_SHARE = 0.75
_SYMBOL_SHARE = 0.4

_KIND_TITLES = {"class": "Class", "function": "Function", "async function": "Function"}


def plan_project(facts: ProjectFacts, config: LlmdocsConfig, project: str = "Project") -> PagePlan:
    """Build the page plan and the prompt graph.

    :raises PagePathConflictError: when two pages would land on one document name.
    :raises DuplicatePageIdError: when two modules have the same dotted name.
    """
    _check_duplicate_modules(facts)
    out = config.output_dir
    index = SymbolIndex(facts)
    modules = {m.name: m for m in facts.modules}
    graph = {name: list(m.internal_imports) for name, m in modules.items()}
    components = condensation_order(graph)
    component_of = {name: comp for comp in components for name in comp}
    featured = featured_symbols(facts, config, index)

    children_of: dict[str | None, list[str]] = {}
    for module in sorted(facts.modules, key=lambda m: m.name):
        parent = module.package if module.package in modules else None
        children_of.setdefault(parent, []).append(module.name)

    docnames = _DocnameRegistry()
    docnames.claim(f"{out}/index", "index")
    module_docnames = {}
    for comp in components:
        for name in comp:
            module_docnames[name] = _docname(out, modules[name])
            docnames.claim(module_docnames[name], _page_id(modules[name]))
    symbol_docnames: dict[str, str] = {}
    for qualname in sorted(featured):
        module = index.module_of[qualname]
        folder = "/".join([out, *module.name.split(".")])
        symbol_docnames[qualname] = docnames.claim_free(
            folder, index.symbols[qualname].name, f"symbol:{qualname}"
        )

    chunks = _analysis_chunks(facts, components, featured, index, config.evidence_tokens)
    chunk_deps, chunk_rank = _chunk_dependencies(chunks, index)

    pages: list[Page] = []
    prompts: list[PromptSpec] = []
    for comp in components:
        for name in comp:
            module = modules[name]
            pid = _page_id(module)
            # A module's analyses in dependency order (a class's own chunk may use the module's others).
            own = sorted((c for c in chunks if c.module == name), key=lambda c: chunk_rank[c.id])
            analysis_ids = [c.id for c in own]
            for chunk in own:
                prompts.append(
                    PromptSpec(
                        chunk.id,
                        "analysis",
                        f"symbol:{chunk.symbols[0]}" if chunk.dedicated else pid,
                        name,
                        config.analysis_model,
                        deps=chunk_deps[chunk.id],
                        symbols=chunk.symbols,
                    )
                )
            import_deps = tuple(
                f"module:{dep}" for dep in module.internal_imports if component_of[dep] != comp
            )
            module_prompt = PromptSpec(
                f"module:{name}", "module", pid, name, config.model, deps=(*analysis_ids, *import_deps)
            )
            prompts.append(module_prompt)
            page_prompts: tuple[str, ...] = (*analysis_ids, module_prompt.id)
            if module.is_package:
                package_prompt = PromptSpec(
                    f"package:{name}",
                    "package",
                    pid,
                    name,
                    config.model,
                    deps=(
                        module_prompt.id,
                        *(_summary_prompt(modules[c]) for c in children_of.get(name, ())),
                    ),
                )
                page_prompts = (*page_prompts, package_prompt.id)
                prompts.append(package_prompt)
            own_symbols = [s for s in module.public_symbols() if s.qualname in featured]
            pages.append(
                Page(
                    id=pid,
                    kind="package" if module.is_package else "module",
                    name=name,
                    docname=module_docnames[name],
                    title=f"{'Package' if module.is_package else 'Module'} {name}",
                    parent=_page_id(modules[module.package]) if module.package in modules else "index",
                    children=(
                        *(_page_id(modules[c]) for c in children_of.get(name, ())),
                        *(f"symbol:{s.qualname}" for s in own_symbols),
                    ),
                    prompts=page_prompts,
                )
            )
            for symbol in own_symbols:
                pages.append(
                    Page(
                        id=f"symbol:{symbol.qualname}",
                        kind="symbol",
                        name=symbol.qualname,
                        docname=symbol_docnames[symbol.qualname],
                        title=f"{_KIND_TITLES.get(symbol.kind, 'Symbol')} {symbol.name}",
                        parent=pid,
                        prompts=(f"analysis:{name}#{symbol.name}",),
                    )
                )

    top = tuple(children_of.get(None, ()))
    prompts.append(
        PromptSpec(
            "index",
            "index",
            "index",
            project,
            config.model,
            deps=tuple(_summary_prompt(modules[t]) for t in top),
        )
    )
    pages.insert(
        0,
        Page(
            id="index",
            kind="index",
            name=project,
            docname=f"{out}/index",
            title=f"{project} architecture",
            parent=None,
            children=tuple(_page_id(modules[t]) for t in top),
            prompts=("index",),
        ),
    )
    return PagePlan(
        project=project,
        output_dir=out,
        pages=tuple(pages),
        prompts=tuple(prompts),
        components=tuple(components),
    )


def featured_symbols(
    facts: ProjectFacts, config: LlmdocsConfig, index: SymbolIndex | None = None
) -> set[str]:
    """Public classes and functions that get a page of their own.

    A class with at least ``llmdocs_symbol_page_min_methods`` public methods (not counting dunders), or a
    class or function used from at least ``llmdocs_symbol_page_min_users`` other modules (a package that
    only re-exports it does not count). A threshold of 0 turns its rule off.
    """
    index = index or SymbolIndex(facts)
    featured: set[str] = set()
    for module in facts.modules:
        for symbol in module.public_symbols():
            if symbol.kind not in _KIND_TITLES:
                continue
            methods = [
                m
                for m in symbol.members
                if m.is_public and "method" in m.kind and not m.name.startswith("__")
            ]
            if symbol.kind == "class" and 0 < config.symbol_page_min_methods <= len(methods):
                featured.add(symbol.qualname)
                continue
            users = [
                u
                for u in index.user_modules(symbol.qualname)
                if not (facts.module(u).is_package and module.name.startswith(u + "."))
            ]
            if 0 < config.symbol_page_min_users <= len(users):
                featured.add(symbol.qualname)
    return featured


class _Chunk:
    def __init__(self, chunk_id: str, module: str, symbols: tuple[str, ...], dedicated: bool) -> None:
        self.id = chunk_id
        self.module = module
        self.symbols = symbols
        self.dedicated = dedicated


def _analysis_chunks(
    facts: ProjectFacts,
    components: list[tuple[str, ...]],
    featured: set[str],
    index: SymbolIndex,
    budget: int,
) -> list[_Chunk]:
    limit = int(budget * _TARGET_SHARE)
    chunks: list[_Chunk] = []
    for comp in components:
        for name in comp:
            module = facts.module(name)
            ordered = _symbol_order(module, index)
            for symbol in ordered:
                if symbol.qualname in featured:
                    chunks.append(_Chunk(f"analysis:{name}#{symbol.name}", name, (symbol.qualname,), True))
            current: list[str] = []
            used = 0
            number = 0
            for symbol in ordered:
                if symbol.qualname in featured:
                    continue
                entry = estimate_tokens(json.dumps(symbol_entry(symbol, module), ensure_ascii=False))
                cost = min(entry + source_tokens_guess(symbol), int(budget * _SYMBOL_SHARE))
                if current and (used + cost > limit or len(current) >= MAX_CHUNK_SYMBOLS):
                    number += 1
                    chunks.append(_Chunk(f"analysis:{name}#{number}", name, tuple(current), False))
                    current, used = [], 0
                current.append(symbol.qualname)
                used += cost
            if current:
                number += 1
                chunks.append(_Chunk(f"analysis:{name}#{number}", name, tuple(current), False))
    return chunks


def _symbol_order(module: ModuleFacts, index: SymbolIndex) -> list[SymbolFacts]:
    """Public symbols in source order; callees before callers inside the module when calls are known."""
    public = list(module.public_symbols())
    if not any(index.has_calls(s) for s in public):
        return public
    names = {s.qualname for s in public}
    graph = {s.qualname: [d for d in index.dependencies(s, module) if d in names] for s in public}
    position = {s.qualname: i for i, s in enumerate(public)}
    by_name = {s.qualname: s for s in public}
    ordered: list[SymbolFacts] = []
    for comp in condensation_order(graph):
        ordered.extend(by_name[q] for q in sorted(comp, key=position.__getitem__))
    return ordered


def _chunk_dependencies(
    chunks: list[_Chunk], index: SymbolIndex
) -> tuple[dict[str, tuple[str, ...]], dict[str, int]]:
    """For each chunk, the earlier chunks whose symbols it uses (cycles broken by prompt id); and each
    chunk's place in that order."""
    chunk_of = {q: c.id for c in chunks for q in c.symbols}
    uses: dict[str, list[str]] = {}
    for chunk in chunks:
        targets: list[str] = []
        for qualname in chunk.symbols:
            symbol = index.symbols[qualname]
            for dep in index.dependencies(symbol, index.module_of[qualname]):
                other = chunk_of.get(dep)
                if other is not None and other != chunk.id:
                    targets.append(other)
        uses[chunk.id] = list(dict.fromkeys(targets))
    order = [cid for comp in condensation_order(uses) for cid in comp]
    rank = {cid: i for i, cid in enumerate(order)}
    deps = {cid: tuple(d for d in targets if rank[d] < rank[cid]) for cid, targets in uses.items()}
    return deps, rank


class _DocnameRegistry:
    """Document names taken so far, compared without letter case (file systems that ignore it exist)."""

    def __init__(self) -> None:
        self._taken: dict[str, tuple[str, str]] = {}

    def claim(self, docname: str, page_id: str) -> None:
        key = docname.casefold()
        if key in self._taken:
            other_doc, other_id = self._taken[key]
            raise PagePathConflictError(
                f"pages {other_id!r} ({other_doc!r}) and {page_id!r} ({docname!r}) would be written "
                "to the same file"
            )
        self._taken[key] = (docname, page_id)

    def claim_free(self, folder: str, slug: str, page_id: str) -> str:
        base = f"{slug}_" if slug.casefold() == "index" else slug
        candidate = f"{folder}/{base}"
        number = 1
        while candidate.casefold() in self._taken:
            number += 1
            candidate = f"{folder}/{base}-{number}"
        self._taken[candidate.casefold()] = (candidate, page_id)
        return candidate


def _check_duplicate_modules(facts: ProjectFacts) -> None:
    seen: dict[str, ModuleFacts] = {}
    for module in facts.modules:
        other = seen.get(module.name)
        if other is not None:
            raise DuplicatePageIdError(
                f"two modules are both named {module.name!r} and would share the page "
                f"{_page_id(module)!r}: {other.path} and {module.path}; document only one of them "
                "(llmdocs_packages, llmdocs_exclude)"
            )
        seen[module.name] = module


def _page_id(module: ModuleFacts) -> str:
    return f"{'package' if module.is_package else 'module'}:{module.name}"


def _summary_prompt(module: ModuleFacts) -> str:
    return f"package:{module.name}" if module.is_package else f"module:{module.name}"


def _docname(out: str, module: ModuleFacts) -> str:
    parts = module.name.split(".")
    if module.is_package:
        return "/".join([out, *parts, "index"])
    if parts[-1] == "index":
        # A module called "index" would take its package's page name.
        parts[-1] = "index_"
    return "/".join([out, *parts])
