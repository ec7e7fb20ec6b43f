from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from recipebox.errors import UnitConversionError
from recipebox.model.ingredient import NutritionInfo
from recipebox.model.recipe import Recipe


@dataclass(slots=True)
class NutritionReport:
    """Nutrition totals plus the ingredients that could not be counted.

    :param totals: Summed nutrition values.
    :param unknown: Names of ingredients lacking nutrition data or a weight.
    """
    totals: NutritionInfo = field(default_factory=NutritionInfo)
    unknown: list[str] = field(default_factory=list)

    def __add__(self, other: NutritionReport) -> NutritionReport:
        return NutritionReport(self.totals + other.totals,
                               list(dict.fromkeys(self.unknown + other.unknown)))

    @property
    def complete(self) -> bool:
        """Whether every ingredient contributed to the totals."""
        return not self.unknown


def recipe_nutrition(recipe: Recipe, *, per_serving: bool = False) -> NutritionReport:
    """Sum the nutrition of a recipe's required ingredients.

    :param recipe: The recipe to analyse.
    :param per_serving: Divide the totals by the recipe's servings.
    :returns: Totals and the names of ingredients that could not be counted.
    """
    report = NutritionReport()
    for line in recipe.required_lines():
        try:
            info = line.ingredient.nutrition_for(line.quantity)
        except UnitConversionError:
            info = None
        if info is None:
            report.unknown.append(line.ingredient.name)
        else:
            report.totals += info
    if per_serving:
        report.totals = report.totals.scaled(1.0 / recipe.servings)
    return report


def combine(reports: Iterable[NutritionReport]) -> NutritionReport:
    return sum(reports, NutritionReport())
