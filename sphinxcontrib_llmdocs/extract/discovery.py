"""Find the modules under the configured packages and source roots, without importing anything."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SourceFile", "discover_sources"]


@dataclass(frozen=True)
class SourceFile:
    """A Python file to analyse and the dotted name it has when imported.

    :param relpath: path from the folder that holds the top-level package, forward slashes.
    """

    name: str
    path: Path
    relpath: str
    is_package: bool


def discover_sources(roots: Sequence[Path], exclude: Sequence[str] = ()) -> list[SourceFile]:
    """List the modules to document, sorted by dotted name.

    A root holding ``__init__.py`` is that package, named after the folder; any other root is a source
    folder whose packages and top-level modules are all documented. When two roots yield one dotted name,
    the first root wins.

    :param roots: absolute folders, as in ``llmdocs_packages``.
    :param exclude: glob patterns matched against dotted names and relative paths.
    """
    found: dict[str, SourceFile] = {}
    for root in roots:
        if (root / "__init__.py").is_file():
            sources: Iterator[SourceFile] = _walk_package(root, root.name, root.parent)
        else:
            sources = _walk_source_root(root)
        for source in sources:
            if _excluded(source, exclude):
                continue
            found.setdefault(source.name, source)
    return [found[name] for name in sorted(found)]


def _walk_source_root(root: Path) -> Iterator[SourceFile]:
    for child in sorted(root.iterdir()):
        if child.is_dir() and (child / "__init__.py").is_file() and child.name.isidentifier():
            yield from _walk_package(child, child.name, root)
        elif child.is_file() and child.suffix == ".py" and child.stem.isidentifier():
            yield SourceFile(child.stem, child, child.relative_to(root).as_posix(), is_package=False)


def _walk_package(folder: Path, dotted: str, base: Path) -> Iterator[SourceFile]:
    init = folder / "__init__.py"
    yield SourceFile(dotted, init, init.relative_to(base).as_posix(), is_package=True)
    for child in sorted(folder.iterdir()):
        if child.is_dir() and (child / "__init__.py").is_file() and child.name.isidentifier():
            yield from _walk_package(child, f"{dotted}.{child.name}", base)
        elif (
            child.is_file()
            and child.suffix == ".py"
            and child.name != "__init__.py"
            and child.stem.isidentifier()
        ):
            yield SourceFile(
                f"{dotted}.{child.stem}", child, child.relative_to(base).as_posix(), is_package=False
            )


def _excluded(source: SourceFile, patterns: Sequence[str]) -> bool:
    return any(
        fnmatch.fnmatchcase(source.name, pattern) or fnmatch.fnmatchcase(source.relpath, pattern)
        for pattern in patterns
    )
