"""Animals of every nature."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple, Protocol, TypedDict, overload

if TYPE_CHECKING:
    from zoo.keeping import Keeper


class Diet(enum.Enum):
    MEAT = "meat"
    PLANTS = "plants"


class Noisy(Protocol):
    def noise(self) -> str: ...


class Position(NamedTuple):
    x: float
    y: float


class Record(TypedDict):
    name: str


class EscapeError(RuntimeError):
    """Raised when an animal escapes."""


@dataclass(frozen=True)
class Animal:
    """An animal."""

    name: str
    diet: Diet = Diet.PLANTS
    tags: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return f"{self.name}: {self.sound()}"

    def sound(self) -> str:
        return "..."

    @classmethod
    def wild(cls, name: str, /, *args: str, loud: bool = False, **extra: object) -> Animal:
        return cls(name)

    @staticmethod
    def kinds() -> list[str]:
        return ["cat"]

    @property
    def label(self) -> str:
        return self.name.upper()

    class Meta:
        verbose = True

    def keeper(self) -> Keeper | None:
        return None


class Cat(Animal):
    def sound(self) -> str:
        return "meow"

    async def escape(self) -> None:
        raise EscapeError(self.describe())


@overload
def loudest(a: Cat) -> Cat: ...
@overload
def loudest(a: Animal) -> Animal: ...
def loudest(a):
    return a


_registry_size = 0
default_name = "Rex"
MAX_ANIMALS: int = 100
