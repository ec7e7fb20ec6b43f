"""Meal planning, shopping lists and nutrition summaries."""

from .nutrition import NutritionReport, recipe_nutrition
from .planner import MealPlan, MealPlanner, MealSlot, PlannedMeal
from .shopping import ShoppingItem, ShoppingList

__all__ = ["MealPlan", "MealPlanner", "MealSlot", "NutritionReport", "PlannedMeal",
           "ShoppingItem", "ShoppingList", "recipe_nutrition"]
