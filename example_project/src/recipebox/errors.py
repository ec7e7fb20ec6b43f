"""Exception hierarchy for recipebox.

Every exception raised deliberately by the library derives from
:class:`RecipeBoxError`, so callers can catch a single base class.
"""

from __future__ import annotations


class RecipeBoxError(Exception):
    """Base class for all recipebox errors."""


class ParseError(RecipeBoxError, ValueError):
    """Raised when recipe text or a quantity cannot be parsed.

    :param message: Human-readable description of the problem.
    :param line: 1-based line number of the problem, if known.
    """

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)


class UnitConversionError(RecipeBoxError, ValueError):
    """Raised when a quantity cannot be expressed in the requested unit.

    :param source: Symbol of the unit converted from.
    :param target: Symbol of the unit converted to.
    :param ingredient: Name of the ingredient involved, if any.
    """

    def __init__(self, source: str, target: str, ingredient: str | None = None) -> None:
        self.source, self.target, self.ingredient = source, target, ingredient
        suffix = f" for {ingredient!r}" if ingredient else ""
        super().__init__(f"cannot convert {source} to {target}{suffix}")


class InsufficientStockError(RecipeBoxError):
    """Raised when the pantry holds less of an ingredient than requested."""

    def __init__(self, ingredient: str, requested: str, available: str) -> None:
        self.ingredient, self.requested, self.available = ingredient, requested, available
        super().__init__(f"need {requested} of {ingredient!r}, only {available} in stock")


class PlanningError(RecipeBoxError):
    """Raised when a meal plan cannot be built as requested."""


class UnknownFormatError(RecipeBoxError, LookupError):
    """Raised when an import/export format name is not registered."""
