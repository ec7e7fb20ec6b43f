"""Find the modules under the configured packages and source roots, without importing anything.

Layouts: a folder holding ``__init__.py`` (or only ``__init__.pyi``) is a package named after the folder; any
other root is a source folder (``src/`` layout, flat layout) whose packages and top-level modules are all
documented. Inside a source folder or a package, a folder *without* ``__init__.py`` is a PEP 420 namespace
package when a regular package lies at most three levels below it (``google/cloud/storage/__init__.py``);
a folder of loose scripts or data is not, and neither are folders named like build output, virtual
environments or documentation (:data:`NOT_NAMESPACES`), which often hold copies of packages. A ``.pyi``
stub next to a ``.py`` file is recorded on that module (the stub gives signatures, the ``.py`` everything
else); a stub with no ``.py`` (typing a compiled extension) is a module of its own. A module and a
package of one name in one folder: the package wins, as in Python.
"""

from __future__ import annotations

import errno
import fnmatch
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sphinxcontrib_llmdocs.extract.facts import Diagnostic

__all__ = ["NOT_NAMESPACES", "Discovery", "SourceFile", "discover", "discover_sources"]

#: Folders without ``__init__.py`` never taken for namespace packages (their regular packages still are
#: documented when a root points at them directly).
NOT_NAMESPACES = frozenset(
    {
        "build",
        "dist",
        "docs",
        "doc",
        "node_modules",
        "site_packages",
        "venv",
        "env",
        "examples",
        "__pycache__",
    }
)
_NAMESPACE_DEPTH = 3


@dataclass(frozen=True)
class SourceFile:
    """A Python file to analyse and the dotted name it has when imported.

    :param relpath: path from the folder that holds the top-level package, forward slashes.
    :param stub: the ``.pyi`` file next to ``path``, if there is one.
    """

    name: str
    path: Path
    relpath: str
    is_package: bool
    stub: Path | None = None
    stub_relpath: str | None = None

    @property
    def is_stub(self) -> bool:
        """The module exists only as a ``.pyi`` stub."""
        return self.path.suffix == ".pyi"


@dataclass
class Discovery:
    """The modules found, the namespace packages they sit in, and what looked wrong on the way."""

    sources: list[SourceFile] = field(default_factory=list)
    namespace_packages: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def discover_sources(roots: Sequence[Path], exclude: Sequence[str] = ()) -> list[SourceFile]:
    """List the modules to document, sorted by dotted name (see :func:`discover`)."""
    return discover(roots, exclude).sources


def discover(roots: Sequence[Path], exclude: Sequence[str] = ()) -> Discovery:
    """Walk ``roots`` and list the modules to document, sorted by dotted name.

    When two roots yield one dotted name, the first root wins (and a diagnostic names the other file).

    :param roots: absolute folders, as in ``llmdocs_packages``.
    :param exclude: glob patterns matched against dotted names and relative paths; a pattern that matches
        a package leaves out everything inside it too.
    """
    walker = _Walker(tuple(exclude))
    for root in roots:
        walker.visited.clear()
        if _has_init(root):
            walker.package(root, root.name, root.parent)
        else:
            walker.source_root(root)
    found: dict[str, SourceFile] = {}
    for source in walker.found:
        first = found.setdefault(source.name, source)
        if first is not source:
            walker.diagnostics.append(
                Diagnostic(
                    str(source.path),
                    1,
                    f"module {source.name} is also found at {first.path}; the first root listed wins",
                )
            )
    result = Discovery(
        sources=[found[name] for name in sorted(found)],
        namespace_packages=sorted(set(walker.namespaces) - set(found)),
        diagnostics=walker.diagnostics,
    )
    return result


def _has_init(folder: Path) -> bool:
    return (folder / "__init__.py").is_file() or (folder / "__init__.pyi").is_file()


class _Walker:
    def __init__(self, exclude: tuple[str, ...]) -> None:
        self.exclude = exclude
        self.found: list[SourceFile] = []
        self.namespaces: list[str] = []
        self.diagnostics: list[Diagnostic] = []
        self.visited: set[str] = set()

    def _excluded(self, name: str, relpath: str) -> bool:
        return any(fnmatch.fnmatchcase(name, p) or fnmatch.fnmatchcase(relpath, p) for p in self.exclude)

    def _entries(self, folder: Path) -> tuple[dict[str, Path], dict[str, Path], list[Path]] | None:
        """(``.py`` files by stem, ``.pyi`` files by stem, sub-folders), or ``None`` when it was seen."""
        try:
            real = os.path.realpath(folder)
        except OSError as exc:  # pragma: no cover - realpath rarely raises
            self.diagnostics.append(Diagnostic(str(folder), 1, f"cannot resolve folder: {exc}"))
            return None
        if real in self.visited:
            self.diagnostics.append(
                Diagnostic(
                    str(folder),
                    1,
                    f"symbolic link loop (or a second link to one folder): this is {real}, already "
                    "walked; skipped",
                )
            )
            return None
        self.visited.add(real)
        py: dict[str, Path] = {}
        pyi: dict[str, Path] = {}
        dirs: list[Path] = []
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            self.diagnostics.append(Diagnostic(str(folder), 1, f"cannot list folder: {exc.strerror or exc}"))
            return None
        for entry in entries:
            name = entry.name
            path = Path(entry.path)
            try:
                if entry.is_dir():
                    if name.isidentifier():
                        dirs.append(path)
                    continue
                is_file = entry.is_file()
            except OSError as exc:
                problem = _link_problem(path) if entry.is_symlink() else f"cannot read entry: {exc.strerror}"
                self.diagnostics.append(Diagnostic(str(path), 1, problem))
                continue
            stem, dot, suffix = name.rpartition(".")
            if not dot or suffix not in ("py", "pyi") or not stem.isidentifier():
                continue
            if not is_file:
                if entry.is_symlink():
                    problem = _link_problem(path)
                    self.diagnostics.append(Diagnostic(str(path), 1, problem))
                continue
            (py if suffix == "py" else pyi)[stem] = path
        return py, pyi, dirs

    def source_root(self, root: Path) -> None:
        listing = self._entries(root)
        if listing is None:
            return
        py, pyi, dirs = listing
        packages = {d.name for d in dirs if _has_init(d)}
        self._modules(py, pyi, "", root, packages)
        for folder in dirs:
            if folder.name in packages:
                self.package(folder, folder.name, root)
            elif self._holds_package(folder, set(), _NAMESPACE_DEPTH):
                self.namespace(folder, folder.name, root)

    def package(self, folder: Path, dotted: str, base: Path) -> None:
        relfolder = folder.relative_to(base).as_posix()
        if self._excluded(dotted, relfolder):
            return
        listing = self._entries(folder)
        if listing is None:
            return
        py, pyi, dirs = listing
        init, init_stub = py.pop("__init__", None), pyi.pop("__init__", None)
        path = init or init_stub
        assert path is not None
        self._add(dotted, path, base, is_package=True, stub=init_stub if init else None)
        self._children(folder, dotted, base, py, pyi, dirs)

    def namespace(self, folder: Path, dotted: str, base: Path) -> None:
        if self._excluded(dotted, folder.relative_to(base).as_posix()):
            return
        listing = self._entries(folder)
        if listing is None:
            return
        self.namespaces.append(dotted)
        py, pyi, dirs = listing
        self._children(folder, dotted, base, py, pyi, dirs)

    def _children(
        self,
        folder: Path,
        dotted: str,
        base: Path,
        py: dict[str, Path],
        pyi: dict[str, Path],
        dirs: list[Path],
    ) -> None:
        packages = {d.name for d in dirs if _has_init(d)}
        self._modules(py, pyi, f"{dotted}.", base, packages)
        for child in dirs:
            if child.name in packages:
                self.package(child, f"{dotted}.{child.name}", base)
            elif self._holds_package(child, set(), _NAMESPACE_DEPTH):
                self.namespace(child, f"{dotted}.{child.name}", base)

    def _modules(
        self, py: dict[str, Path], pyi: dict[str, Path], prefix: str, base: Path, packages: set[str]
    ) -> None:
        for stem in sorted(set(py) | set(pyi)):
            path = py.get(stem) or pyi[stem]
            if stem in packages:
                self.diagnostics.append(
                    Diagnostic(
                        str(path),
                        1,
                        f"module {prefix}{stem} is shadowed by the package {stem}/ next to it "
                        "(Python imports the package); not documented",
                    )
                )
                continue
            self._add(
                f"{prefix}{stem}", path, base, is_package=False, stub=pyi.get(stem) if stem in py else None
            )

    def _add(self, dotted: str, path: Path, base: Path, *, is_package: bool, stub: Path | None) -> None:
        relpath = path.relative_to(base).as_posix()
        if self._excluded(dotted, relpath):
            return
        self.found.append(
            SourceFile(
                dotted,
                path,
                relpath,
                is_package,
                stub=stub,
                stub_relpath=stub.relative_to(base).as_posix() if stub else None,
            )
        )

    def _holds_package(self, folder: Path, seen: set[str], depth: int) -> bool:
        """Whether a regular package lies at most ``depth`` levels below ``folder`` (a namespace package)."""
        if depth <= 0 or folder.name in NOT_NAMESPACES:
            return False
        try:
            real = os.path.realpath(folder)
            if real in seen or real in self.visited:
                return False
            seen.add(real)
            for entry in os.scandir(folder):
                if entry.is_dir() and entry.name.isidentifier():
                    child = Path(entry.path)
                    if _has_init(child) or self._holds_package(child, seen, depth - 1):
                        return True
        except OSError:
            return False
        return False


def _link_problem(path: Path) -> str:
    try:
        path.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link loop; skipped"
        return f"broken symbolic link ({exc.strerror}); skipped"
    return "not a regular file; skipped"
