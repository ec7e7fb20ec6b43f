"""recipebox: a small recipe collection and meal-planning library.

Models ingredients with units and nutrition data, scales recipes, tracks
pantry stock, plans meals and turns the plan into a shopping list. Recipes are
imported and exported as JSON or plain text via :mod:`recipebox.io`.
"""

from recipebox.errors import RecipeBoxError
from recipebox.model import Ingredient, IngredientLine, NutritionInfo, Pantry, Recipe
from recipebox.planning import MealPlan, MealPlanner, MealSlot, ShoppingList
from recipebox.units import Quantity, Unit

__version__ = "0.3.0"

__all__ = ["Ingredient", "IngredientLine", "MealPlan", "MealPlanner", "MealSlot",
           "NutritionInfo", "Pantry", "Quantity", "Recipe", "RecipeBoxError", "ShoppingList",
           "Unit", "__version__"]
