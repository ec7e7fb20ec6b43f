"""Units of measure and quantities.

Defines the :class:`Unit` enumeration, the immutable :class:`Quantity` value
type and conversion between units of the same :class:`Dimension`. Conversions
*across* dimensions (cups of flour to grams) need ingredient data and live in
:meth:`recipebox.model.ingredient.Ingredient.convert`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from fractions import Fraction
from typing import Final

from recipebox.errors import ParseError, UnitConversionError

__all__ = ["EPSILON", "UNIT_ALIASES", "Dimension", "Quantity", "Unit", "convert",
           "format_amount", "parse_amount"]

GRAMS_PER_OUNCE: Final[float] = 28.349523125
ML_PER_TEASPOON: Final[float] = 4.92892159375
ML_PER_CUP: Final[float] = 236.5882365
EPSILON: Final[float] = 1e-9
AMOUNT_PRECISION = 2


class Dimension(Enum):
    """Physical dimension measured by a :class:`Unit`."""
    MASS = "mass"
    VOLUME = "volume"
    COUNT = "count"


class Unit(Enum):
    """A unit of measure.

    Each member carries its symbol, its :class:`Dimension` and the factor that
    converts one unit into the base unit of that dimension (g, ml or piece).
    """
    GRAM = ("g", Dimension.MASS, 1.0)
    KILOGRAM = ("kg", Dimension.MASS, 1000.0)
    OUNCE = ("oz", Dimension.MASS, GRAMS_PER_OUNCE)
    POUND = ("lb", Dimension.MASS, 16 * GRAMS_PER_OUNCE)
    MILLILITER = ("ml", Dimension.VOLUME, 1.0)
    LITER = ("l", Dimension.VOLUME, 1000.0)
    TEASPOON = ("tsp", Dimension.VOLUME, ML_PER_TEASPOON)
    TABLESPOON = ("tbsp", Dimension.VOLUME, 3 * ML_PER_TEASPOON)
    CUP = ("cup", Dimension.VOLUME, ML_PER_CUP)
    PIECE = ("pc", Dimension.COUNT, 1.0)

    def __init__(self, symbol: str, dimension: Dimension, factor: float) -> None:
        self.symbol = symbol
        self.dimension = dimension
        self.factor = factor

    @property
    def base(self) -> Unit:
        """The base unit of this unit's dimension."""
        return {Dimension.MASS: Unit.GRAM, Dimension.VOLUME: Unit.MILLILITER,
                Dimension.COUNT: Unit.PIECE}[self.dimension]

    @classmethod
    def from_symbol(cls, text: str) -> Unit:
        """Look up a unit by symbol or common alias.

        :param text: A symbol such as ``"g"`` or an alias such as ``"grams"``.
        :raises ParseError: If *text* names no known unit.
        """
        key = text.strip().lower().rstrip(".")
        key = UNIT_ALIASES.get(key, key)
        for unit in cls:
            if unit.symbol == key:
                return unit
        raise ParseError(f"unknown unit {text!r}")


#: Spelled-out and plural unit names mapped to canonical symbols.
UNIT_ALIASES: dict[str, str] = {
    "gram": "g", "grams": "g", "kilogram": "kg", "kilograms": "kg", "ounce": "oz",
    "ounces": "oz", "pound": "lb", "pounds": "lb", "lbs": "lb", "milliliter": "ml",
    "millilitre": "ml", "liter": "l", "litre": "l", "liters": "l", "litres": "l",
    "teaspoon": "tsp", "teaspoons": "tsp", "tablespoon": "tbsp", "tablespoons": "tbsp",
    "cups": "cup", "piece": "pc", "pieces": "pc", "pcs": "pc", "x": "pc",
}


def convert(amount: float, source: Unit, target: Unit) -> float:
    """Convert an amount between two units of the same dimension.

    :param amount: The amount expressed in *source* units.
    :param source: The unit *amount* is expressed in.
    :param target: The unit to convert to.
    :raises UnitConversionError: If the units measure different dimensions.
    """
    if source.dimension is not target.dimension:
        raise UnitConversionError(source.symbol, target.symbol)
    return amount * source.factor / target.factor


def parse_amount(text: str) -> float:
    """Parse a decimal, fraction or mixed number such as ``"1 1/2"``.

    :raises ParseError: If the text is empty or not a number.
    """
    try:
        if not text.strip():
            raise ValueError("empty amount")
        return float(sum(map(Fraction, text.split()), Fraction(0)))
    except (ValueError, ZeroDivisionError) as exc:
        raise ParseError(f"invalid amount {text!r}") from exc


def format_amount(amount: float) -> str:
    """Format an amount without trailing zeros, e.g. ``"1.5"`` or ``"200"``."""
    text = f"{round(amount, AMOUNT_PRECISION):.{AMOUNT_PRECISION}f}"
    return text.rstrip("0").rstrip(".")


@dataclass(frozen=True, slots=True)
class Quantity:
    """An amount paired with a unit.

    :param amount: Non-negative numeric amount.
    :param unit: Unit the amount is expressed in.
    :raises ValueError: If *amount* is negative.
    """
    amount: float
    unit: Unit

    def __post_init__(self) -> None:
        if self.amount < 0:
            raise ValueError(f"amount must be non-negative, got {self.amount}")

    @classmethod
    def parse(cls, text: str) -> Quantity:
        """Parse text such as ``"200 g"``, ``"1 1/2 cups"`` or ``"3"`` (pieces).

        :raises ParseError: If the text is not a valid quantity.
        """
        amount, _, symbol = text.strip().rpartition(" ")
        try:
            return cls(parse_amount(amount), Unit.from_symbol(symbol))
        except ParseError:
            return cls(parse_amount(text), Unit.PIECE)

    @property
    def dimension(self) -> Dimension:
        """Dimension of this quantity's unit."""
        return self.unit.dimension

    def to(self, unit: Unit) -> Quantity:
        """Return this quantity expressed in *unit*.

        :raises UnitConversionError: If *unit* has a different dimension.
        """
        return Quantity(convert(self.amount, self.unit, unit), unit)

    def to_base(self) -> Quantity:
        return self.to(self.unit.base)

    def scaled(self, factor: float) -> Quantity:
        return Quantity(self.amount * factor, self.unit)

    def __add__(self, other: Quantity) -> Quantity:
        return Quantity(self.amount + convert(other.amount, other.unit, self.unit), self.unit)

    def __sub__(self, other: Quantity) -> Quantity:
        """Saturating subtraction: the result never drops below zero."""
        remaining = self.amount - convert(other.amount, other.unit, self.unit)
        return Quantity(max(remaining, 0.0), self.unit)

    def __str__(self) -> str:
        return f"{format_amount(self.amount)} {self.unit.symbol}"

