"""Feeding, with an import deferred to call time."""

from .keeping import Keeper


def feed_all(keeper: Keeper) -> int:
    from .animals import Cat

    return len([a for a in keeper.animals if isinstance(a, Cat)])


def hand_over(keeper: "Keeper | None", animal) -> None:
    """Parameters annotated with a class let ``keeper.adopt`` resolve; ``animal`` stays unknown."""
    keeper.adopt(animal)
    animal.sound()


def first_day(name):
    """A local assigned once from a class call: its method calls resolve."""
    keeper = Keeper(name)
    keeper.adopt(name)


def second_day(name):
    """Assigned twice: what it holds at the call is not known statically."""
    keeper = Keeper(name)
    keeper = name
    keeper.adopt(name)
