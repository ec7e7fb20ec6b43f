"""Command-line interface, run as ``python -m recipebox.cli``.

Sub-commands: ``show`` recipes with nutrition (optionally scaled), ``convert``
them to another format, and ``plan`` meals with a shopping list.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from recipebox.errors import RecipeBoxError
from recipebox.io import EXPORTERS, format_recipe, get_exporter, load_recipes, parse_recipes
from recipebox.model.pantry import Pantry
from recipebox.model.recipe import Recipe
from recipebox.planning import MealPlanner, MealSlot, recipe_nutrition

PROG = "recipebox"
EXIT_ERROR = 2


def build_parser() -> argparse.ArgumentParser:
    """Create the argument parser for all sub-commands."""
    parser = argparse.ArgumentParser(prog=PROG, description="Recipe box utilities.")
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser("show", help="print recipes with nutrition per serving")
    show.add_argument("file", type=Path)
    show.add_argument("--servings", type=int, help="scale to this many servings")
    convert = commands.add_parser("convert", help="print recipes in another format")
    convert.add_argument("file", type=Path)
    convert.add_argument("--to", choices=sorted(EXPORTERS), required=True)
    plan = commands.add_parser("plan", help="plan meals and print a shopping list")
    plan.add_argument("files", type=Path, nargs="+")
    plan.add_argument("--days", type=int, default=7)
    plan.add_argument("--slots", default="dinner", help="comma-separated meal slots")
    plan.add_argument("--pantry", type=Path, help="pantry JSON to subtract from shopping")
    plan.add_argument("--seed", type=int)
    return parser


def load_file(path: Path) -> list[Recipe]:
    """Load recipes from a ``.json`` file or, for any other suffix, plain text."""
    if path.suffix.lower() == ".json":
        return load_recipes(path)
    return parse_recipes(path.read_text(encoding="utf-8"))


def _show(args: argparse.Namespace) -> None:
    for recipe in load_file(args.file):
        recipe = recipe.scaled(args.servings) if args.servings else recipe
        report = recipe_nutrition(recipe, per_serving=True)
        values = ", ".join(f"{name} {value}" for name, value in report.totals.as_dict(1).items())
        unknown = f" (unknown: {', '.join(report.unknown)})" if report.unknown else ""
        print(format_recipe(recipe), f"Per serving: {values}{unknown}", sep="\n")


def _plan(args: argparse.Namespace) -> None:
    recipes = [recipe for path in args.files for recipe in load_file(path)]
    pantry = Pantry.from_dict(json.loads(args.pantry.read_text())) if args.pantry else None
    planner = MealPlanner(recipes, days=args.days, seed=args.seed)
    planner.auto_fill([MealSlot(s.strip().lower()) for s in args.slots.split(",")], pantry=pantry)
    print(planner.summary(), planner.build().shopping_list(pantry).to_text(), sep="\n\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the process exit status.

    :param argv: Arguments without the program name; defaults to ``sys.argv[1:]``.
    """
    args = build_parser().parse_args(argv)
    try:
        if args.command == "show":
            _show(args)
        elif args.command == "convert":
            get_exporter(args.to).write(load_file(args.file), sys.stdout)
        else:
            _plan(args)
    except (RecipeBoxError, OSError, ValueError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
