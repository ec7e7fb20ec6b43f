"""Exporter base class and the protocol for text destinations."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Protocol, runtime_checkable

from recipebox.model.recipe import Recipe

if TYPE_CHECKING:
    from recipebox.planning.planner import MealPlan


@runtime_checkable
class TextSink(Protocol):
    """Anything with a ``write(str)`` method, e.g. an open text file or :class:`io.StringIO`."""

    def write(self, text: str, /) -> int: ...


class Exporter(ABC):
    """Base class for recipe exporters.

    Subclasses set :attr:`format_name` and :attr:`suffix` and implement
    :meth:`dumps`; writing to sinks and files is provided here.
    """
    #: Registry name of the format, e.g. ``"json"``.
    format_name: ClassVar[str]
    #: File suffix including the dot, e.g. ``".json"``.
    suffix: ClassVar[str]

    @abstractmethod
    def dumps(self, recipes: Sequence[Recipe]) -> str:
        """Serialise *recipes*, in order, to a string."""

    def dumps_plan(self, plan: MealPlan) -> str:
        """Serialise each meal of *plan*, scaled to its planned servings."""
        return self.dumps([meal.recipe.scaled(meal.servings) for meal in plan.meals])

    def write(self, recipes: Iterable[Recipe], sink: TextSink) -> int:
        """Write *recipes* to *sink*; return the number of characters written."""
        return sink.write(self.dumps(list(recipes)))

    def export(self, recipes: Iterable[Recipe], path: str | Path) -> Path:
        """Write *recipes* to a UTF-8 file.

        :param recipes: The recipes to export.
        :param path: Destination; :attr:`suffix` replaces any other suffix.
        :returns: The path actually written.
        """
        target = Path(path).with_suffix(self.suffix)
        target.write_text(self.dumps(list(recipes)), encoding="utf-8")
        return target
