"""Shopping lists aggregated from recipes and reduced by pantry stock."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby

from recipebox.errors import UnitConversionError
from recipebox.model.ingredient import Ingredient
from recipebox.model.pantry import Pantry
from recipebox.model.recipe import IngredientLine, Recipe
from recipebox.units import EPSILON, Dimension, Quantity

__all__ = ["ShoppingItem", "ShoppingList"]


@dataclass(slots=True)
class ShoppingItem:
    """One entry of a shopping list.

    :param ingredient: What to buy.
    :param quantity: How much to buy.
    :param sources: Titles of the recipes that need it.
    """
    ingredient: Ingredient
    quantity: Quantity
    sources: list[str] = field(default_factory=list)


class ShoppingList:
    """Ingredient requirements merged into one entry per ingredient.

    Amounts of an ingredient are summed in the unit of its first occurrence.
    Amounts that cannot be converted into each other (garlic in pieces and in
    grams, without a piece weight) stay separate entries.
    """

    def __init__(self) -> None:
        self._items: dict[tuple[str, Dimension], ShoppingItem] = {}

    @classmethod
    def from_recipes(cls, recipes: Iterable[Recipe]) -> ShoppingList:
        """Build a list covering the required ingredients of *recipes* as written."""
        shopping = cls()
        for recipe in recipes:
            for line in recipe.ingredients:
                if not line.optional:
                    shopping.add_line(line, recipe.title)
        return shopping

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[ShoppingItem]:
        return iter(sorted(self._items.values(),
                           key=lambda item: (item.ingredient.category, item.ingredient.key)))

    def add_line(self, line: IngredientLine, source: str | None = None) -> None:
        """Add the requirement of one ingredient line.

        :param line: The line to add.
        :param source: Title of the recipe the line belongs to.
        """
        sources = [source] if source else []
        for (key, _), item in self._items.items():
            if key == line.ingredient.key:
                try:
                    item.quantity += item.ingredient.convert(line.quantity, item.quantity.unit)
                except UnitConversionError:
                    continue
                item.sources.extend(sources)
                return
        entry = ShoppingItem(line.ingredient, line.quantity, sources)
        self._items[(line.ingredient.key, line.quantity.dimension)] = entry

    def subtract_pantry(self, pantry: Pantry) -> ShoppingList:
        """Return a new list without what *pantry* already covers.

        Stock is consumed from a copy of *pantry*, so the same stock is never
        counted against two entries; *pantry* itself is not modified.
        """
        stock, result = pantry.copy(), ShoppingList()
        for key, item in self._items.items():
            unit = item.quantity.unit
            stocked = stock.get(item.ingredient.name)
            try:
                have = stocked.quantity if stocked else Quantity(0.0, unit)
                available = item.ingredient.convert(have, unit).amount
            except UnitConversionError:
                available = 0.0
            covered = min(available, item.quantity.amount)
            if covered > EPSILON:
                stock.remove(item.ingredient, Quantity(covered, unit))
            if item.quantity.amount - covered > EPSILON:
                remaining = Quantity(item.quantity.amount - covered, unit)
                result._items[key] = ShoppingItem(item.ingredient, remaining, list(item.sources))
        return result

    def to_text(self) -> str:
        """Render a check-list grouped by category, naming the recipes for each item."""
        lines: list[str] = []
        for category, items in groupby(self, key=lambda item: item.ingredient.category):
            lines.append(f"{category.title()}:")
            lines.extend(f"  [ ] {item.quantity} {item.ingredient.name} "
                         f"({', '.join(sorted(set(item.sources)))})" for item in items)
        return "\n".join(lines)
