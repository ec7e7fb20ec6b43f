"""Import and export of recipes in JSON and plain-text formats."""

from __future__ import annotations

from recipebox.errors import UnknownFormatError

from .base import Exporter, TextSink
from .json_format import JsonExporter, load_recipes, load_recipes_async, loads_recipes
from .text_format import TextExporter, format_recipe, parse_recipes

__all__ = ["EXPORTERS", "Exporter", "JsonExporter", "TextExporter", "TextSink", "format_recipe",
           "get_exporter", "load_recipes", "load_recipes_async", "loads_recipes", "parse_recipes"]

#: Exporter classes by :attr:`Exporter.format_name`.
EXPORTERS: dict[str, type[Exporter]] = {
    exporter.format_name: exporter for exporter in (JsonExporter, TextExporter)
}


def get_exporter(name: str) -> Exporter:
    """Instantiate the exporter registered under *name* (case-insensitive).

    :raises UnknownFormatError: If no exporter has that name.
    """
    try:
        return EXPORTERS[name.lower()]()
    except KeyError:
        choices = ", ".join(sorted(EXPORTERS))
        raise UnknownFormatError(f"unknown format {name!r}; choose from {choices}") from None
