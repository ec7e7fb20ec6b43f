"""Meal planning over a run of consecutive days.

:class:`MealPlanner` assigns recipes to days and meal slots, fills the gaps
automatically and produces a :class:`MealPlan`, from which shopping lists are
derived.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum

from recipebox.errors import PlanningError
from recipebox.model.pantry import Pantry
from recipebox.model.recipe import Recipe

from .nutrition import NutritionReport, combine, recipe_nutrition
from .shopping import ShoppingList

__all__ = ["DAYS_PER_WEEK", "MealPlan", "MealPlanner", "MealSlot", "PlannedMeal"]

DAYS_PER_WEEK: int = 7
#: Days that must pass before :meth:`MealPlanner.auto_fill` repeats a recipe.
DEFAULT_REPEAT_GAP = 3
#: Relative weight of recipes cookable from the pantry when auto-filling.
PANTRY_PREFERENCE_WEIGHT: float = 3.0


class MealSlot(Enum):
    """A meal of the day, in chronological order."""
    BREAKFAST = "breakfast"
    LUNCH = "lunch"
    DINNER = "dinner"


@dataclass(frozen=True, slots=True)
class PlannedMeal:
    """A recipe scheduled for one slot of one day.

    :param day: The date of the meal.
    :param slot: Which meal of the day.
    :param recipe: The recipe as written.
    :param servings: How many servings to cook.
    """
    day: date
    slot: MealSlot
    recipe: Recipe
    servings: int


@dataclass(slots=True)
class MealPlan:
    """A snapshot of planned meals in chronological order.

    :param start: First day of the plan.
    :param meals: The planned meals.
    """
    start: date
    meals: list[PlannedMeal] = field(default_factory=list)

    def shopping_list(self, pantry: Pantry | None = None) -> ShoppingList:
        """Return everything the plan needs, minus what *pantry* holds, if given."""
        recipes = (meal.recipe.scaled(meal.servings) for meal in self.meals)
        shopping = ShoppingList.from_recipes(recipes)
        return shopping if pantry is None else shopping.subtract_pantry(pantry)


class MealPlanner:
    """Builds a :class:`MealPlan` for consecutive days.

    :param recipes: Candidate recipes for :meth:`auto_fill`.
    :param start: First planned day; defaults to the Monday of the current week.
    :param days: Number of days to plan.
    :param servings: Default servings per meal.
    :param seed: Seed for reproducible :meth:`auto_fill` results.
    :raises PlanningError: If *days* or *servings* is less than one.
    """

    def __init__(self, recipes: Iterable[Recipe] = (), *, start: date | None = None,
                 days: int = DAYS_PER_WEEK, servings: int = 2, seed: int | None = None) -> None:
        if days < 1 or servings < 1:
            raise PlanningError("days and servings must be at least 1")
        self.start = start or self.week_start(date.today())
        self.days = days
        self.default_servings = servings
        self.recipes = sorted(recipes, key=lambda recipe: recipe.title.lower())
        self._meals: dict[tuple[date, MealSlot], PlannedMeal] = {}
        self._rng = random.Random(seed)

    @staticmethod
    def week_start(day: date) -> date:
        """Return the Monday of the ISO week containing *day*."""
        return day - timedelta(days=day.weekday())

    @property
    def dates(self) -> list[date]:
        """Every day in the planned range."""
        return [self.start + timedelta(days=offset) for offset in range(self.days)]

    def assign(self, day: date, slot: MealSlot, recipe: Recipe,
               servings: int | None = None) -> PlannedMeal:
        """Schedule *recipe* for *slot* on *day*, replacing any existing meal.

        :param servings: Servings to cook; defaults to the planner's default.
        :raises PlanningError: If *day* is outside the planned range.
        """
        if day not in self.dates:
            raise PlanningError(f"{day.isoformat()} is outside the planned range")
        meal = PlannedMeal(day, slot, recipe, servings or self.default_servings)
        self._meals[(day, slot)] = meal
        return meal

    def free_slots(
        self, slots: Sequence[MealSlot] = tuple(MealSlot)
    ) -> list[tuple[date, MealSlot]]:
        return [(d, s) for d in self.dates for s in slots if (d, s) not in self._meals]

    def _days_to_nearest_use(self, recipe: Recipe, day: date) -> int | None:
        return min((abs((meal.day - day).days) for meal in self._meals.values()
                    if meal.recipe.title == recipe.title), default=None)

    def auto_fill(self, slots: Sequence[MealSlot] = (MealSlot.DINNER,), *,
                  min_gap_days: int = DEFAULT_REPEAT_GAP,
                  pantry: Pantry | None = None) -> list[PlannedMeal]:
        """Fill free slots with randomly chosen candidate recipes.

        Recipes tagged with the slot name (e.g. ``"breakfast"``) are preferred
        for that slot and recipes cookable from *pantry* are weighted up. A
        recipe is not repeated within *min_gap_days* unless nothing else fits.

        :param slots: Slots to fill on every day.
        :param min_gap_days: Minimum days between uses of the same recipe.
        :param pantry: Stock used to prefer recipes that need no shopping.
        :returns: The newly planned meals.
        :raises PlanningError: If there are no candidate recipes.
        """
        if not self.recipes:
            raise PlanningError("no candidate recipes to plan with")
        added: list[PlannedMeal] = []
        for day, slot in self.free_slots(slots):
            pool = [r for r in self.recipes if r.has_tag(slot.value)] or self.recipes
            gaps = [(recipe, self._days_to_nearest_use(recipe, day)) for recipe in pool]
            fresh = [r for r, gap in gaps if gap is None or gap >= min_gap_days]
            if not fresh:  # every candidate was used recently: take the least recent
                furthest = max(gap or 0 for _, gap in gaps)
                fresh = [r for r, gap in gaps if gap == furthest]
            weights = [PANTRY_PREFERENCE_WEIGHT if pantry and pantry.can_cook(r) else 1.0
                       for r in fresh]
            added.append(self.assign(day, slot, self._rng.choices(fresh, weights)[0]))
        return added

    def build(self) -> MealPlan:
        """Return a :class:`MealPlan` snapshot of the current assignments."""
        order = list(MealSlot)
        meals = sorted(self._meals.values(), key=lambda m: (m.day, order.index(m.slot)))
        return MealPlan(self.start, meals)

    def nutrition_by_day(self) -> dict[date, NutritionReport]:
        """Return per-person nutrition totals for each planned day."""
        return {day: combine(recipe_nutrition(meal.recipe, per_serving=True)
                             for meal in self._meals.values() if meal.day == day)
                for day in self.dates}

    def summary(self) -> str:
        """Render the plan as a plain-text, day-by-day table."""
        lines: list[str] = []
        meals = self.build().meals
        for day in self.dates:
            lines.append(day.strftime("%A %d %B"))
            lines.extend(f"  {meal.slot.value:<10} {meal.recipe.title} (x{meal.servings})"
                         for meal in meals if meal.day == day)
        return "\n".join(lines)
