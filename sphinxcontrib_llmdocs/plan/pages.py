"""Plan pages and prompts from facts: pure, deterministic, no I/O."""

from __future__ import annotations

from sphinxcontrib_llmdocs.config import LlmdocsConfig
from sphinxcontrib_llmdocs.errors import PagePathConflictError
from sphinxcontrib_llmdocs.extract.facts import ModuleFacts, ProjectFacts
from sphinxcontrib_llmdocs.plan.graph import condensation_order
from sphinxcontrib_llmdocs.plan.model import Page, PagePlan, PromptSpec

__all__ = ["ANALYSIS_CHUNK_SYMBOLS", "plan_project"]

#: Public symbols per analysis prompt. One prompt per symbol is what made the predecessor expensive.
ANALYSIS_CHUNK_SYMBOLS = 12


def plan_project(facts: ProjectFacts, config: LlmdocsConfig, project: str = "Project") -> PagePlan:
    """Build the page plan and the prompt graph.

    Prompt order: a module's page prompt waits for its own symbol analyses and for the page prompts of the
    modules it imports outside its own import cycle; a package waits for its modules and sub-packages; the
    index waits for the top-level packages and modules.

    :raises PagePathConflictError: when two pages would land on one document name.
    """
    out = config.output_dir
    modules = {m.name: m for m in facts.modules}
    graph = {name: list(m.internal_imports) for name, m in modules.items()}
    components = condensation_order(graph)
    component_of = {name: comp for comp in components for name in comp}

    pages: list[Page] = []
    prompts: list[PromptSpec] = []
    docnames: dict[str, str] = {}

    children_of: dict[str | None, list[str]] = {}
    for module in facts.modules:
        parent = module.package if module.package in modules else None
        children_of.setdefault(parent, []).append(module.name)

    def page_id(module: ModuleFacts) -> str:
        return f"{'package' if module.is_package else 'module'}:{module.name}"

    for comp in components:
        for name in comp:
            module = modules[name]
            pid = page_id(module)
            docname = _docname(out, module)
            if docname in docnames:
                raise PagePathConflictError(
                    f"pages {docnames[docname]!r} and {pid!r} would both be written to {docname!r}"
                )
            docnames[docname] = pid

            analysis_ids: list[str] = []
            public = [s.qualname for s in module.public_symbols()]
            for i in range(0, len(public), ANALYSIS_CHUNK_SYMBOLS):
                chunk = tuple(public[i : i + ANALYSIS_CHUNK_SYMBOLS])
                aid = f"analysis:{name}#{i // ANALYSIS_CHUNK_SYMBOLS + 1}"
                analysis_ids.append(aid)
                prompts.append(PromptSpec(aid, "analysis", pid, name, config.analysis_model, symbols=chunk))
            import_deps = tuple(
                f"module:{dep}" for dep in module.internal_imports if component_of[dep] != comp
            )
            module_prompt = PromptSpec(
                f"module:{name}",
                "module",
                pid,
                name,
                config.model,
                deps=(*analysis_ids, *import_deps),
            )
            prompts.append(module_prompt)
            page_prompts: tuple[str, ...] = (*analysis_ids, module_prompt.id)
            kids = tuple(page_id(modules[c]) for c in children_of.get(name, ()))
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
                # Package prompts wait for their children, which come later in dependency order when the
                # package imports nothing of theirs; they are appended after all modules below.
                prompts.append(package_prompt)
            pages.append(
                Page(
                    id=pid,
                    kind="package" if module.is_package else "module",
                    name=name,
                    docname=docname,
                    title=f"{'Package' if module.is_package else 'Module'} {name}",
                    parent=page_id(modules[module.package]) if module.package in modules else "index",
                    children=kids,
                    prompts=page_prompts,
                )
            )

    top = tuple(children_of.get(None, ()))
    index_prompt = PromptSpec(
        "index",
        "index",
        "index",
        project,
        config.model,
        deps=tuple(_summary_prompt(modules[t]) for t in top),
    )
    prompts.append(index_prompt)
    index_docname = f"{out}/index"
    if index_docname in docnames:
        raise PagePathConflictError(
            f"pages {docnames[index_docname]!r} and 'index' would both be written to {index_docname!r}"
        )
    pages.insert(
        0,
        Page(
            id="index",
            kind="index",
            name=project,
            docname=index_docname,
            title=f"{project} architecture",
            parent=None,
            children=tuple(page_id(modules[t]) for t in top),
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
