"""Command line: ``python -m sphinxcontrib_llmdocs facts SRC... --json``.

Shows what the extension believes about your code, without Sphinx and without any model call.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from sphinxcontrib_llmdocs import __version__
from sphinxcontrib_llmdocs.extract import extract_project, facts_summary_json

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
            print(f"{module.name} ({kind}, {module.line_count} lines, {len(module.symbols)} symbols)")
            for dep in module.internal_imports:
                print(f"    imports {dep}")
        for diagnostic in facts.diagnostics:
            print(f"warning: {diagnostic}", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m sphinxcontrib_llmdocs``."""
    parser = argparse.ArgumentParser(prog="python -m sphinxcontrib_llmdocs", description=__doc__)
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", required=True)
    facts = commands.add_parser("facts", help="print the facts extracted from source folders")
    facts.add_argument("src", nargs="+", help="package folders or source roots, as in llmdocs_packages")
    facts.add_argument("--json", action="store_true", help="print JSON instead of text")
    facts.add_argument("--exclude", action="append", help="glob of modules to leave out (repeatable)")
    facts.set_defaults(func=_facts)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    status: int = args.func(args)
    return status
