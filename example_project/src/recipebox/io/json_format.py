"""JSON import and export of recipes.

Documents have the shape ``{"version": 1, "recipes": [...]}`` with ingredient
data stored inline, so a file is self-contained.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from recipebox.model.ingredient import Ingredient
from recipebox.model.recipe import DEFAULT_SERVINGS, IngredientLine, Recipe
from recipebox.units import Quantity, Unit

from .. import errors
from .base import Exporter

__all__ = ["JSON_SCHEMA_VERSION", "JsonExporter", "load_recipes", "load_recipes_async",
           "loads_recipes", "recipe_from_dict", "recipe_to_dict"]

JSON_SCHEMA_VERSION: Final[int] = 1


def recipe_to_dict(recipe: Recipe) -> dict[str, Any]:
    """Convert a recipe to JSON-compatible data."""
    lines = [{"ingredient": line.ingredient.to_dict(), "amount": line.quantity.amount,
              "unit": line.quantity.unit.symbol, "note": line.note, "optional": line.optional}
             for line in recipe.ingredients]
    return {"title": recipe.title, "servings": recipe.servings, "prep": recipe.prep_minutes,
            "cook": recipe.cook_minutes, "tags": sorted(recipe.tags), "ingredients": lines,
            "steps": list(recipe.steps)}


def recipe_from_dict(data: Mapping[str, Any]) -> Recipe:
    """Build a recipe from the output of :func:`recipe_to_dict`.

    :param data: Decoded JSON object.
    :raises recipebox.errors.ParseError: If fields are missing or invalid.
    """
    try:
        lines = [IngredientLine(Ingredient.from_dict(entry["ingredient"]),
                                Quantity(float(entry["amount"]), Unit.from_symbol(entry["unit"])),
                                entry.get("note", ""), bool(entry.get("optional", False)))
                 for entry in data.get("ingredients", [])]
        return Recipe(data["title"], int(data.get("servings", DEFAULT_SERVINGS)), lines,
                      list(data.get("steps", [])), int(data.get("prep", 0)),
                      int(data.get("cook", 0)), set(data.get("tags", [])))
    except (KeyError, TypeError, ValueError) as exc:
        raise errors.ParseError(f"invalid recipe data: {exc}") from exc


def loads_recipes(text: str) -> list[Recipe]:
    """Parse a JSON document into recipes.

    :raises recipebox.errors.ParseError: On malformed JSON or an unsupported version.
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise errors.ParseError(exc.msg, exc.lineno) from exc
    if not isinstance(document, dict) or document.get("version") != JSON_SCHEMA_VERSION:
        raise errors.ParseError(f"expected a version {JSON_SCHEMA_VERSION} recipe document")
    return [recipe_from_dict(item) for item in document.get("recipes", [])]


def load_recipes(path: str | Path) -> list[Recipe]:
    return loads_recipes(Path(path).read_text(encoding="utf-8"))


async def load_recipes_async(paths: Iterable[str | Path]) -> list[Recipe]:
    """Load several JSON files concurrently in worker threads.

    :param paths: Files to load.
    :returns: All recipes, in the order of *paths*.
    """
    batches = await asyncio.gather(*(asyncio.to_thread(load_recipes, path) for path in paths))
    return [recipe for batch in batches for recipe in batch]


class JsonExporter(Exporter):
    """Exports recipes as a versioned JSON document.

    :param indent: Indentation for :func:`json.dumps`; ``None`` for compact output.
    """
    format_name = "json"
    suffix = ".json"

    def __init__(self, indent: int | None = 2) -> None:
        self.indent = indent

    def dumps(self, recipes: Sequence[Recipe]) -> str:
        document = {"version": JSON_SCHEMA_VERSION, "recipes": [recipe_to_dict(r) for r in recipes]}
        return json.dumps(document, indent=self.indent, ensure_ascii=False)
