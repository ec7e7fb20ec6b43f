"""Command line: ``python -m sphinxcontrib_llmdocs facts SRC... | plan DOCS_DIR | estimate DOCS_DIR``.

Shows what the extension believes about your code, which pages and prompts a build would make, and what
it would cost: without building and without any model call.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from functools import partial
from pathlib import Path

from sphinxcontrib_llmdocs import __version__
from sphinxcontrib_llmdocs.cache.commands import DocsSetup, load_docs, prune_stores, store_stats
from sphinxcontrib_llmdocs.cache.store import ResponseCache
from sphinxcontrib_llmdocs.config import LlmdocsConfig
from sphinxcontrib_llmdocs.errors import LlmdocsError
from sphinxcontrib_llmdocs.extract import ProjectFacts, extract_project, facts_summary_json
from sphinxcontrib_llmdocs.llm import choose_backend
from sphinxcontrib_llmdocs.pipeline import run_async
from sphinxcontrib_llmdocs.plan import PagePlan, plan_project
from sphinxcontrib_llmdocs.plan.estimate import Estimate, estimate_and_close, topological_prompts

__all__ = ["main"]


def _facts(args: argparse.Namespace) -> int:
    roots: list[Path] = []
    for src in args.src:
        path = Path(src).resolve()
        if not path.is_dir():
            print(f"llmdocs facts: {src}: no such folder", file=sys.stderr)
            return 2
        roots.append(path)
    facts = extract_project(roots, args.exclude or ())
    if args.json:
        json.dump(facts_summary_json(facts), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for module in facts.modules:
            kind = "package" if module.is_package else "module"
            count = len(module.symbols)
            print(f"{module.name} ({kind}, {module.line_count} lines, {count} symbol{'s' * (count != 1)})")
            for dep in module.internal_imports:
                print(f"    imports {dep}")
        for diagnostic in facts.diagnostics:
            print(f"warning: {diagnostic}", file=sys.stderr)
    return 0


def _load(docs: str) -> tuple[LlmdocsConfig, str, ProjectFacts, PagePlan] | None:
    """Config, project name, facts and plan of the documentation folder ``docs``, or ``None`` (reported)."""
    # Only reading conf.py needs Sphinx; imported here so ``facts`` runs without it.
    from sphinxcontrib_llmdocs.sphinx_ext.conf_reader import read_docs_config

    try:
        config, project = read_docs_config(Path(docs))
        facts = extract_project(config.packages, config.exclude)
        plan = plan_project(facts, config, project)
    except LlmdocsError as exc:
        print(f"llmdocs: {docs}: {exc}", file=sys.stderr)
        return None
    for diagnostic in facts.diagnostics:
        print(f"warning: {diagnostic}", file=sys.stderr)
    return config, project, facts, plan


def _plan(args: argparse.Namespace) -> int:
    loaded = _load(args.docs)
    if loaded is None:
        return 2
    _, _, _, plan = loaded
    if args.json:
        data = {
            "project": plan.project,
            "output_dir": plan.output_dir,
            "pages": [
                {
                    "id": p.id,
                    "kind": p.kind,
                    "name": p.name,
                    "docname": p.docname,
                    "title": p.title,
                    "parent": p.parent,
                    "children": list(p.children),
                    "prompts": list(p.prompts),
                }
                for p in plan.pages
            ],
            "prompts": [
                {
                    "id": p.id,
                    "kind": p.kind,
                    "page": p.page_id,
                    "target": p.target,
                    "model": p.model,
                    "deps": list(p.deps),
                    "symbols": list(p.symbols),
                }
                for p in topological_prompts(plan)
            ],
            "components": [list(c) for c in plan.components],
        }
        json.dump(data, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for page in plan.pages:
            print(f"{page.docname}  [{page.kind}]  {page.title}")
        for prompt in topological_prompts(plan):
            waits = f" <- {', '.join(prompt.deps)}" if prompt.deps else ""
            print(f"{prompt.id} ({prompt.model}){waits}")
    return 0


def _default_doctrees(docs: Path) -> Path | None:
    for candidate in ("_build/doctrees", "_build/html/.doctrees", "_build/.doctrees"):
        if (docs / candidate).is_dir():
            return docs / candidate
    return None


def _estimate(args: argparse.Namespace) -> int:
    loaded = _load(args.docs)
    if loaded is None:
        return 2
    config, _, facts, plan = loaded
    doctrees = Path(args.doctrees) if args.doctrees else _default_doctrees(Path(args.docs))
    cache = ResponseCache(
        doctrees / "llmdocs" / "cache" if doctrees else Path(args.docs) / ".no-local-cache",
        config.cache_dir,
    )
    try:
        backend = choose_backend(config).backend
    except LlmdocsError as exc:
        print(f"llmdocs: {args.docs}: {exc}", file=sys.stderr)
        return 2

    estimate = run_async(partial(estimate_and_close, plan, facts, config, cache=cache, backend=backend))
    assert isinstance(estimate, Estimate)
    if args.json:
        data = estimate.to_json()
        data["cache"] = {"local": str(cache.local) if doctrees else None, "committed": str(config.cache_dir)}
        json.dump(data, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(estimate.format_text())
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m sphinxcontrib_llmdocs``."""
    parser = argparse.ArgumentParser(
        prog="python -m sphinxcontrib_llmdocs",
        description="Show what sphinxcontrib-llmdocs believes about your code (facts), which pages and "
        "prompts a build would make (plan), what it would cost (estimate), and what the response cache "
        "holds (cache): without building and without any model call.",
    )
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", required=True)
    facts = commands.add_parser("facts", help="print the facts extracted from source folders")
    facts.add_argument("src", nargs="+", help="package folders or source roots, as in llmdocs_packages")
    facts.add_argument("--json", action="store_true", help="print JSON instead of text")
    facts.add_argument("--exclude", action="append", help="glob of modules to leave out (repeatable)")
    facts.set_defaults(func=_facts)
    plan = commands.add_parser("plan", help="print the pages and prompts a build of DOCS_DIR would make")
    plan.add_argument("docs", metavar="DOCS_DIR", help="the folder holding conf.py")
    plan.add_argument("--json", action="store_true", help="print JSON instead of text")
    plan.set_defaults(func=_plan)
    estimate = commands.add_parser(
        "estimate", help="walk the prompt graph without calling a model: prompts, cache hits, tokens, cost"
    )
    estimate.add_argument("docs", metavar="DOCS_DIR", help="the folder holding conf.py")
    estimate.add_argument("--json", action="store_true", help="print JSON instead of a table")
    estimate.add_argument(
        "--doctrees",
        help="Sphinx's doctree folder, whose llmdocs/cache holds earlier answers "
        "(default: the first of DOCS_DIR/_build/doctrees, _build/html/.doctrees, _build/.doctrees)",
    )
    estimate.set_defaults(func=_estimate)
    _add_cache_commands(commands)
    return parser


# --- cache stats | cache prune -------------------------------------------------------------------------


def _add_cache_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cache = commands.add_parser("cache", help="show or prune the answer stores of a docs folder")
    actions = cache.add_subparsers(dest="cache_command", required=True)
    for name, help_text, func in (
        ("stats", "entries, size, and counts by prompt kind and model of each store", _cache_stats),
        ("prune", "remove entries the current plan no longer references", _cache_prune),
    ):
        action = actions.add_parser(name, help=help_text)
        action.add_argument("docs_dir", metavar="DOCS_DIR", help="the folder holding conf.py")
        action.add_argument(
            "--doctree-dir",
            help="Sphinx's doctree folder (default: _build/doctrees or _build/<builder>/.doctrees)",
        )
        action.add_argument("--json", action="store_true", help="print JSON instead of text")
        if name == "prune":
            action.add_argument("--dry-run", action="store_true", help="only list what would be removed")
        action.set_defaults(func=func)


def _load_docs(args: argparse.Namespace, command: str) -> DocsSetup | None:
    try:
        return load_docs(Path(args.docs_dir), Path(args.doctree_dir) if args.doctree_dir else None)
    except LlmdocsError as exc:
        print(f"llmdocs cache {command}: {exc}", file=sys.stderr)
        return None


def _cache_stats(args: argparse.Namespace) -> int:
    setup = _load_docs(args, "stats")
    if setup is None:
        return 2
    if not setup.stores:
        print(
            f"llmdocs cache stats: no answer store found for {args.docs_dir}; build the docs first "
            "or pass --doctree-dir",
            file=sys.stderr,
        )
        return 1
    stats = [store_stats(root) for root in setup.stores]
    if args.json:
        json.dump({"stores": [s.as_json() for s in stats]}, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    for s in stats:
        committed = " (committed, llmdocs_cache_dir)" if s.root == setup.config.cache_dir else ""
        print(f"{s.root}{committed}: {s.entries} entries, {s.size} bytes, {s.invalid} unreadable")
        for label, counts in (("kind", s.by_kind), ("model", s.by_model)):
            for key, count in sorted(counts.items()):
                print(f"    {label} {key}: {count}")
    return 0


def _cache_prune(args: argparse.Namespace) -> int:
    setup = _load_docs(args, "prune")
    if setup is None:
        return 2
    result = prune_stores(setup, dry_run=args.dry_run)
    verb = "would remove" if args.dry_run else "removed"
    if args.json:
        data = {
            "dry_run": args.dry_run,
            "removed": [str(e.path) for e in result.removed],
            "removed_bytes": result.removed_bytes,
            "temporary_files": [str(p) for p in result.temporary],
            "kept": result.kept,
        }
        json.dump(data, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    for entry in result.removed:
        print(f"{verb} {entry.path} ({entry.kind}, {entry.model}{'' if entry.valid else ', unreadable'})")
    print(
        f"{verb} {len(result.removed)} entr{'y' if len(result.removed) == 1 else 'ies'} "
        f"({result.removed_bytes} bytes) and "
        f"{len(result.temporary)} temporary files; kept {result.kept}"
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    status: int = args.func(args)
    return status
