"""Domain model: ingredients, recipes and the pantry."""

from .ingredient import Ingredient, NutritionInfo, build_catalog, normalize_name
from .pantry import Pantry, PantryItem
from .recipe import DEFAULT_SERVINGS, IngredientLine, Recipe

__all__ = ["DEFAULT_SERVINGS", "Ingredient", "IngredientLine", "NutritionInfo", "Pantry",
           "PantryItem", "Recipe", "build_catalog", "normalize_name"]
