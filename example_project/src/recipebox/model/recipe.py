"""Recipes and their ingredient lines.

.. note::

   This module and :mod:`recipebox.model.pantry` import each other at module
   level. **The import cycle is deliberate**: this package exists to show how
   documentation tooling reports cycles. It is safe because each side imports
   only the other *module object* and reads attributes from it inside
   functions, after both modules have finished initialising.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import recipebox.model.pantry as _pantry_mod
from recipebox.units import Quantity

from .ingredient import Ingredient

__all__ = ["DEFAULT_SERVINGS", "MAX_SERVINGS", "IngredientLine", "Recipe"]

DEFAULT_SERVINGS: int = 4
MAX_SERVINGS = 100


@dataclass(frozen=True, slots=True)
class IngredientLine:
    """One entry of a recipe's ingredient list.

    :param ingredient: The ingredient required.
    :param quantity: How much of it the recipe needs.
    :param note: Preparation note, e.g. ``"finely chopped"``.
    :param optional: Whether the recipe works without this ingredient.
    """
    ingredient: Ingredient
    quantity: Quantity
    note: str = ""
    optional: bool = False

    def with_quantity(self, quantity: Quantity) -> IngredientLine:
        return replace(self, quantity=quantity)


@dataclass(slots=True)
class Recipe:
    """A recipe: ingredients, method and metadata.

    :param title: Recipe title; must not be blank.
    :param servings: Number of servings the listed quantities produce.
    :param ingredients: Ingredient lines in display order.
    :param steps: Method steps in order.
    :param prep_minutes: Active preparation time in minutes.
    :param cook_minutes: Cooking time in minutes.
    :param tags: Free-form tags such as ``"vegetarian"`` or ``"dinner"``.
    :raises ValueError: If the title is blank or servings are out of range.
    """
    title: str
    servings: int = DEFAULT_SERVINGS
    ingredients: list[IngredientLine] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    prep_minutes: int = 0
    cook_minutes: int = 0
    tags: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        if not self.title.strip():
            raise ValueError("recipe title must not be blank")
        if not 1 <= self.servings <= MAX_SERVINGS:
            raise ValueError(f"servings must be between 1 and {MAX_SERVINGS}")
        self.tags = {tag.strip().lower() for tag in self.tags if tag.strip()}

    @property
    def total_minutes(self) -> int:
        """Preparation plus cooking time in minutes."""
        return self.prep_minutes + self.cook_minutes

    def add_ingredient(self, ingredient: Ingredient, quantity: Quantity | str,
                       note: str = "", optional: bool = False) -> IngredientLine:
        """Append an ingredient line and return it.

        :param ingredient: The ingredient to add.
        :param quantity: A :class:`Quantity` or text accepted by :meth:`Quantity.parse`.
        :param note: Preparation note.
        :param optional: Whether the ingredient may be left out.
        """
        if isinstance(quantity, str):
            quantity = Quantity.parse(quantity)
        line = IngredientLine(ingredient, quantity, note, optional)
        self.ingredients.append(line)
        return line

    def required_lines(self) -> list[IngredientLine]:
        return [line for line in self.ingredients if not line.optional]

    def has_tag(self, tag: str) -> bool:
        """Return whether the recipe carries *tag* (case-insensitive)."""
        return tag.strip().lower() in self.tags

    def scaled(self, servings: int) -> Recipe:
        """Return a copy of this recipe with quantities scaled to *servings*.

        :param servings: The desired number of servings.
        """
        factor = servings / self.servings
        lines = [line.with_quantity(line.quantity.scaled(factor)) for line in self.ingredients]
        return Recipe(self.title, servings, lines, list(self.steps),
                      self.prep_minutes, self.cook_minutes, set(self.tags))

    def missing_from(self, pantry: _pantry_mod.Pantry,
                     servings: int | None = None) -> list[IngredientLine]:
        """Return the shortfall of required ingredients in *pantry*.

        Convenience wrapper around :meth:`recipebox.model.pantry.Pantry.missing_for`.

        :param pantry: The pantry to check.
        :param servings: Scale the recipe to this many servings first.
        :raises TypeError: If *pantry* is not a :class:`~recipebox.model.pantry.Pantry`.
        """
        if not isinstance(pantry, _pantry_mod.Pantry):
            raise TypeError(f"expected Pantry, got {type(pantry).__name__}")
        return pantry.missing_for(self, servings)
