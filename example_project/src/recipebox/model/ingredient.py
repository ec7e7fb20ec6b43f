"""Ingredients, their physical properties and nutritional data."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, astuple, dataclass
from typing import Any, Final

from recipebox.errors import UnitConversionError
from recipebox.units import Dimension, Quantity, Unit

#: Ingredient nutrition values are recorded per this many grams.
NUTRITION_REFERENCE_GRAMS: Final[float] = 100.0
_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalize_name(name: str) -> str:
    """Return the canonical lookup key for an ingredient or recipe name.

    >>> normalize_name("  Brown  Sugar! ")
    'brown sugar'
    """
    return _NON_WORD.sub(" ", name.lower()).strip()


@dataclass(frozen=True, slots=True)
class NutritionInfo:
    """Nutritional values for an amount of food (per 100 g on ingredients).

    :param calories: Energy in kilocalories.
    :param protein: Protein in grams.
    :param fat: Fat in grams.
    :param carbohydrates: Carbohydrates in grams.
    """
    calories: float = 0.0
    protein: float = 0.0
    fat: float = 0.0
    carbohydrates: float = 0.0

    def __add__(self, other: NutritionInfo) -> NutritionInfo:
        return NutritionInfo(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))

    def scaled(self, factor: float) -> NutritionInfo:
        """Return every value multiplied by *factor*."""
        return NutritionInfo(*(value * factor for value in astuple(self)))

    def as_dict(self, digits: int | None = None) -> dict[str, float]:
        """Return the values keyed by field name, optionally rounded to *digits*."""
        values = asdict(self)
        return values if digits is None else {k: round(v, digits) for k, v in values.items()}


@dataclass(frozen=True, slots=True)
class Ingredient:
    """A food item that can appear in recipes and the pantry.

    :param name: Display name, e.g. ``"Plain flour"``.
    :param category: Shopping category used to group shopping lists.
    :param nutrition: Nutrition per 100 g, if known.
    :param density: Grams per millilitre; enables mass/volume conversion.
    :param piece_weight: Grams per piece; enables count/mass conversion.
    """
    name: str
    category: str = "other"
    nutrition: NutritionInfo | None = None
    density: float | None = None
    piece_weight: float | None = None

    @property
    def key(self) -> str:
        """Normalised name identifying the ingredient in collections."""
        return normalize_name(self.name)

    def _grams_per_base_unit(self, unit: Unit) -> float:
        factor = {Dimension.MASS: 1.0, Dimension.VOLUME: self.density,
                  Dimension.COUNT: self.piece_weight}[unit.dimension]
        if factor is None:
            raise UnitConversionError(unit.symbol, "g", self.name)
        return factor

    def grams(self, quantity: Quantity) -> float:
        """Return the mass in grams of *quantity* of this ingredient.

        :raises UnitConversionError: If density or piece weight is needed but unknown.
        """
        return quantity.to_base().amount * self._grams_per_base_unit(quantity.unit)

    def convert(self, quantity: Quantity, unit: Unit) -> Quantity:
        """Convert *quantity* of this ingredient to *unit*.

        Conversions across dimensions go through grams using density or piece weight.

        :param quantity: The quantity to convert.
        :param unit: The target unit.
        :raises UnitConversionError: If the required ingredient data is missing.
        """
        if quantity.dimension is unit.dimension:
            return quantity.to(unit)
        base_amount = self.grams(quantity) / self._grams_per_base_unit(unit)
        return Quantity(base_amount, unit.base).to(unit)

    def nutrition_for(self, quantity: Quantity) -> NutritionInfo | None:
        """Return nutrition for *quantity*, or ``None`` if no data is recorded.

        :raises UnitConversionError: If the quantity cannot be weighed.
        """
        if self.nutrition is None:
            return None
        return self.nutrition.scaled(self.grams(quantity) / NUTRITION_REFERENCE_GRAMS)

    def to_dict(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value is not None}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Ingredient:
        """Build an ingredient from the output of :meth:`to_dict`."""
        nutrition = data.get("nutrition")
        return cls(str(data["name"]), str(data.get("category", "other")),
                   NutritionInfo(**nutrition) if nutrition else None,
                   data.get("density"), data.get("piece_weight"))


def build_catalog(ingredients: Iterable[Ingredient]) -> dict[str, Ingredient]:
    return {ingredient.key: ingredient for ingredient in ingredients}
