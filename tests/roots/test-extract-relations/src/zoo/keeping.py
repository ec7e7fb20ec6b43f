"""Keepers."""

import importlib

from zoo import animals
from zoo.animals import Animal, EscapeError

__all__ = ["Keeper"]


class Keeper:
    def __init__(self, name: str) -> None:
        self.name = name
        self.animals: list[Animal] = []

    def adopt(self, animal: Animal) -> None:
        self.animals.append(animal)
        animals.loudest(animal)

    def plugin(self, name: str):
        return importlib.import_module(name)

    def poke(self, attr: str):
        return getattr(self, attr)


def helper():
    try:
        return None
    except EscapeError:
        return None


for _plugin in ("json",):
    importlib.import_module(_plugin)
