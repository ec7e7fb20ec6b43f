"""Plain-text recipe format.

A document holds one or more recipes, each introduced by a ``# Title`` line::

    # Pancakes
    servings: 4
    tags: breakfast, sweet

    ## Ingredients
    - 200 g plain flour, sifted
    - 1 1/2 cup milk
    - 1 tbsp sugar (optional)

    ## Steps
    1. Whisk everything into a smooth batter.
    2. Fry ladlefuls in a hot pan.

Metadata keys are ``servings``, ``prep``, ``cook`` and ``tags``. A missing unit
means pieces; unnumbered lines continue the previous step.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping, Sequence

from recipebox.model.ingredient import Ingredient, normalize_name
from recipebox.model.recipe import MAX_SERVINGS, Recipe
from recipebox.units import Quantity, Unit, format_amount, parse_amount

from .. import errors
from .base import Exporter

__all__ = ["TextExporter", "format_recipe", "parse_recipes"]

#: Numeric metadata keys and the :class:`Recipe` attributes they set.
META_FIELDS: dict[str, str] = {"servings": "servings", "prep": "prep_minutes",
                               "cook": "cook_minutes"}
OPTIONAL_MARKER = "(optional)"
_AMOUNT_TOKEN = re.compile(r"^\d+(?:[./]\d+)?$")
_STEP = re.compile(r"^\d+[.)]\s+(.*)$")


def _add_ingredient(recipe: Recipe, text: str, catalog: Mapping[str, Ingredient],
                    line_no: int) -> None:
    optional = text.endswith(OPTIONAL_MARKER)
    body, _, note = text.removesuffix(OPTIONAL_MARKER).partition(",")
    tokens = body.split()
    count = next((i for i, tok in enumerate(tokens) if not _AMOUNT_TOKEN.match(tok)), len(tokens))
    if count in (0, len(tokens)):
        raise errors.ParseError(f"expected '<amount> [unit] <name>', got {text!r}", line_no)
    amount, unit = parse_amount(" ".join(tokens[:count])), Unit.PIECE
    if count < len(tokens) - 1:
        with contextlib.suppress(errors.ParseError):
            unit, count = Unit.from_symbol(tokens[count]), count + 1
    name = " ".join(tokens[count:])
    key = normalize_name(name)
    ingredient = next((catalog[k] for k in (key, key.removesuffix("es"), key.removesuffix("s"))
                       if k in catalog), Ingredient(name))
    recipe.add_ingredient(ingredient, Quantity(amount, unit), note.strip(), optional)


def _set_meta(recipe: Recipe, line: str, line_no: int) -> None:
    key, sep, value = (part.strip() for part in line.partition(":"))
    key = key.lower()
    if sep and key == "tags":
        recipe.tags = {tag.strip().lower() for tag in value.split(",") if tag.strip()}
    elif sep and key in META_FIELDS and value.isdigit() and (
            key != "servings" or 1 <= int(value) <= MAX_SERVINGS):
        setattr(recipe, META_FIELDS[key], int(value))
    else:
        raise errors.ParseError(f"invalid metadata {line!r}; keys: tags, {', '.join(META_FIELDS)}",
                                line_no)


def parse_recipes(text: str, catalog: Mapping[str, Ingredient] | None = None) -> list[Recipe]:
    """Parse every recipe in a plain-text document.

    :param text: The document.
    :param catalog: Known ingredients keyed by normalised name; plural names
        fall back to singular entries (``"eggs"`` finds ``"egg"``).
    :raises recipebox.errors.ParseError: With the number of the offending line.
    """
    recipes: list[Recipe] = []
    section: str | None = None
    for line_no, line in enumerate((raw.strip() for raw in text.splitlines()), start=1):
        if line.startswith("# "):
            recipes.append(Recipe(line[2:].strip()))
            section = None
        elif not line:
            continue
        elif not recipes:
            raise errors.ParseError("text before the first '# Title' line", line_no)
        elif line.startswith("## "):
            section = line[3:].strip().lower()
            if section not in ("ingredients", "steps"):
                raise errors.ParseError(f"unknown section {section!r}", line_no)
        elif section is None:
            _set_meta(recipes[-1], line, line_no)
        elif section == "ingredients":
            if not line.startswith("- "):
                raise errors.ParseError("ingredient lines must start with '- '", line_no)
            _add_ingredient(recipes[-1], line[2:].strip(), catalog or {}, line_no)
        elif match := _STEP.match(line):
            recipes[-1].steps.append(match.group(1))
        elif recipes[-1].steps:
            recipes[-1].steps[-1] += " " + line
        else:
            raise errors.ParseError("steps must be numbered, e.g. '1. Mix'", line_no)
    return recipes


def format_recipe(recipe: Recipe) -> str:
    """Render *recipe* in the format read by :func:`parse_recipes`."""
    lines = [f"# {recipe.title}", f"servings: {recipe.servings}"]
    lines += [f"prep: {recipe.prep_minutes}"] * bool(recipe.prep_minutes)
    lines += [f"cook: {recipe.cook_minutes}"] * bool(recipe.cook_minutes)
    lines += [f"tags: {', '.join(sorted(recipe.tags))}"] * bool(recipe.tags)
    lines += ["", "## Ingredients"]
    for item in recipe.ingredients:
        note = f", {item.note}" if item.note else ""
        marker = f" {OPTIONAL_MARKER}" if item.optional else ""
        lines.append(f"- {format_amount(item.quantity.amount)} {item.quantity.unit.symbol} "
                     f"{item.ingredient.name}{note}{marker}")
    lines += ["", "## Steps"] + [f"{n}. {step}" for n, step in enumerate(recipe.steps, 1)]
    return "\n".join(lines) + "\n"


class TextExporter(Exporter):
    """Exports recipes in the plain-text format, separated by blank lines."""
    format_name = "text"
    suffix = ".txt"

    def dumps(self, recipes: Sequence[Recipe]) -> str:
        return "\n".join(format_recipe(recipe) for recipe in recipes)
