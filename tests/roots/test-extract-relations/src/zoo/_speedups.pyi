"""Types of a compiled extension that has no Python source."""

from zoo.animals import Animal

def fast_sound(animal: Animal) -> str: ...
