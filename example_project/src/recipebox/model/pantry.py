"""Pantry inventory: what is in stock, how much, and until when.

:class:`Pantry` answers "can I cook this?" and deducts ingredients when a
recipe is cooked. This module imports :mod:`recipebox.model.recipe` at module
level and that module imports this one back; **the cycle is deliberate** (see
the note in :mod:`recipebox.model.recipe`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from recipebox.errors import InsufficientStockError, UnitConversionError
from recipebox.units import EPSILON, Quantity, Unit

from . import recipe as _recipe_mod
from .ingredient import Ingredient, normalize_name

__all__ = ["Pantry", "PantryItem"]


@dataclass(slots=True)
class PantryItem:
    """A stocked ingredient.

    :param ingredient: The ingredient in stock.
    :param quantity: Amount in stock.
    :param expires: Best-before date, or ``None`` for non-perishables.
    """
    ingredient: Ingredient
    quantity: Quantity
    expires: date | None = None

    def is_expired(self, today: date) -> bool:
        return self.expires is not None and self.expires < today


class Pantry:
    """An inventory of ingredients keyed by normalised name.

    Stock of the same ingredient is merged into the unit of the first entry,
    converting through density or piece weight where needed; the earliest
    expiry date is kept.

    :param items: Optional initial stock.
    """

    def __init__(self, items: Iterable[PantryItem] = ()) -> None:
        self._items: dict[str, PantryItem] = {}
        for item in items:
            self.add(item.ingredient, item.quantity, item.expires)

    def __len__(self) -> int:
        return len(self._items)

    def _available_in(self, ingredient: Ingredient, unit: Unit) -> float:
        item = self._items.get(ingredient.key)
        try:
            return item.ingredient.convert(item.quantity, unit).amount if item else 0.0
        except UnitConversionError:
            return 0.0

    def _target(self, recipe: _recipe_mod.Recipe, servings: int | None) -> _recipe_mod.Recipe:
        if not isinstance(recipe, _recipe_mod.Recipe):
            raise TypeError(f"expected Recipe, got {type(recipe).__name__}")
        return recipe if servings is None else recipe.scaled(servings)

    def add(self, ingredient: Ingredient, quantity: Quantity,
            expires: date | None = None) -> PantryItem:
        """Stock *quantity* of *ingredient* and return the resulting entry.

        :param ingredient: The ingredient to stock.
        :param quantity: Amount added.
        :param expires: Best-before date of the added stock.
        :raises UnitConversionError: If the amount cannot be merged with existing stock.
        """
        item = self._items.get(ingredient.key)
        if item is None:
            item = self._items[ingredient.key] = PantryItem(ingredient, quantity, expires)
            return item
        item.quantity = item.quantity + item.ingredient.convert(quantity, item.quantity.unit)
        if expires is not None and (item.expires is None or expires < item.expires):
            item.expires = expires
        return item

    def get(self, name: str) -> PantryItem | None:
        """Return the stock entry for an ingredient name, if present."""
        return self._items.get(normalize_name(name))

    def has(self, ingredient: Ingredient, quantity: Quantity) -> bool:
        """Return whether at least *quantity* of *ingredient* is in stock."""
        return self._available_in(ingredient, quantity.unit) + EPSILON >= quantity.amount

    def remove(self, ingredient: Ingredient, quantity: Quantity) -> Quantity:
        """Take *quantity* of *ingredient* out of stock; empty entries are dropped.

        :returns: The quantity left in stock.
        :raises InsufficientStockError: If less than *quantity* is available.
        """
        available = self._available_in(ingredient, quantity.unit)
        if available + EPSILON < quantity.amount:
            raise InsufficientStockError(ingredient.name, str(quantity),
                                         str(Quantity(available, quantity.unit)))
        item = self._items[ingredient.key]
        item.quantity = item.quantity - item.ingredient.convert(quantity, item.quantity.unit)
        if item.quantity.amount <= EPSILON:
            del self._items[ingredient.key]
        return item.quantity

    def clear(self) -> None:
        self._items.clear()

    def items(self) -> list[PantryItem]:
        """Return all entries sorted by ingredient name."""
        return [self._items[key] for key in sorted(self._items)]

    def remove_expired(self, today: date | None = None) -> list[PantryItem]:
        """Drop and return every entry past its best-before date.

        :param today: Reference date; defaults to :meth:`datetime.date.today`.
        """
        expired = [item for item in self.items() if item.is_expired(today or date.today())]
        for item in expired:
            del self._items[item.ingredient.key]
        return expired

    def missing_for(self, recipe: _recipe_mod.Recipe,
                    servings: int | None = None) -> list[_recipe_mod.IngredientLine]:
        """Return the required lines of *recipe* that stock does not fully cover.

        Each returned line carries only the shortfall quantity.

        :param recipe: The recipe to check.
        :param servings: Scale the recipe to this many servings first.
        """
        missing: list[_recipe_mod.IngredientLine] = []
        for line in self._target(recipe, servings).required_lines():
            short = line.quantity.amount - self._available_in(line.ingredient, line.quantity.unit)
            if short > EPSILON:
                missing.append(line.with_quantity(Quantity(short, line.quantity.unit)))
        return missing

    def can_cook(self, recipe: _recipe_mod.Recipe, servings: int | None = None) -> bool:
        """Return whether every required ingredient of *recipe* is in stock."""
        return not self.missing_for(recipe, servings)

    def cook(self, recipe: _recipe_mod.Recipe, servings: int | None = None) -> None:
        """Deduct the ingredients of *recipe*; optional ones only if fully stocked.

        :raises InsufficientStockError: If a required ingredient is short; the
            stock is left unchanged in that case.
        """
        target = self._target(recipe, servings)
        missing = self.missing_for(target)
        if missing:
            short, unit = missing[0], missing[0].quantity.unit
            have = Quantity(self._available_in(short.ingredient, unit), unit)
            needed = short.quantity + have
            raise InsufficientStockError(short.ingredient.name, str(needed), str(have))
        for line in target.ingredients:
            if not line.optional or self.has(line.ingredient, line.quantity):
                self.remove(line.ingredient, line.quantity)

    def copy(self) -> Pantry:
        return Pantry(PantryItem(i.ingredient, i.quantity, i.expires) for i in self.items())

    def to_dict(self) -> dict[str, Any]:
        """Serialise the pantry to JSON-compatible data."""
        return {"items": [
            {"ingredient": item.ingredient.to_dict(), "amount": item.quantity.amount,
             "unit": item.quantity.unit.symbol,
             "expires": item.expires.isoformat() if item.expires else None}
            for item in self.items()
        ]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Pantry:
        """Rebuild a pantry from the output of :meth:`to_dict`."""
        pantry = cls()
        for entry in data.get("items", []):
            expires = entry.get("expires")
            pantry.add(Ingredient.from_dict(entry["ingredient"]),
                       Quantity(float(entry["amount"]), Unit.from_symbol(entry["unit"])),
                       date.fromisoformat(expires) if expires else None)
        return pantry
