"""Feeding, with an import deferred to call time."""

from .keeping import Keeper


def feed_all(keeper: Keeper) -> int:
    from .animals import Cat

    return len([a for a in keeper.animals if isinstance(a, Cat)])


def hand_over(keeper: "Keeper | None", animal) -> None:
    """Parameters annotated with a class let ``keeper.adopt`` resolve; ``animal`` stays unknown."""
    keeper.adopt(animal)
    animal.sound()
