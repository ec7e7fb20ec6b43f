"""A zoo: re-exports, a star import through ``__all__``, ``from . import x``, ``import a.b as c``."""

from . import feeding
from .animals import Animal, Cat
from .keeping import *

import zoo.registry as reg

__all__ = ["Animal", "Cat", "Keeper", "feeding", "open_zoo", "reg"]


def open_zoo() -> "Keeper":
    """Open the zoo with one keeper."""
    keeper = Keeper("Ann")
    feeding.feed_all(keeper)
    reg.register("Ann")
    return keeper
