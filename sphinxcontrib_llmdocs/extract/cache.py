"""Parsed modules cached by content hash, so a rebuild parses only the files that changed.

One pickle file under the folder given (the pipeline passes ``<doctreedir>/llmdocs/facts``), read once and
written atomically once per run, holding only the entries the run used. The key covers the parser version,
the module's dotted name and package flag (they change qualified names and relative imports) and the
SHA-256 of the file's bytes; the file's location is not part of it, so a moved checkout still hits. A
file that cannot be read back (truncated, from another version) counts as empty. Like Sphinx's own pickled
environment, the file is trusted as the build's own output: do not point it at a folder others can write.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
from pathlib import Path

from sphinxcontrib_llmdocs.extract.discovery import SourceFile
from sphinxcontrib_llmdocs.extract.facts import Diagnostic
from sphinxcontrib_llmdocs.extract.parser import PARSER_VERSION, ParsedModule

__all__ = ["CACHE_FILE", "ParseCache"]

CACHE_FILE = "parsed.pickle"
_Entry = ParsedModule | Diagnostic


class ParseCache:
    """What earlier runs parsed; ``folder=None`` caches nothing."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._old: dict[str, _Entry] = {}
        self._new: dict[str, _Entry] = {}
        if folder is not None:
            self._old = _load(folder / CACHE_FILE)

    @staticmethod
    def key(source: SourceFile, content_hash: str) -> str:
        text = f"{PARSER_VERSION}\0{source.name}\0{source.is_package}\0{source.path.suffix}\0{content_hash}"
        return hashlib.sha256(text.encode()).hexdigest()

    def get(self, key: str, source: SourceFile) -> _Entry | None:
        """The cached result for ``key``, re-pointed at ``source``'s current path."""
        entry = self._old.get(key)
        if entry is None:
            return None
        self._new[key] = entry
        return _relocate(entry, source)

    def put(self, key: str, entry: _Entry) -> None:
        self._new[key] = entry

    def save(self) -> None:
        """Write the entries this run used, when they differ from what was read."""
        if self.folder is None or self._new.keys() == self._old.keys():
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / CACHE_FILE
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as stream:
            pickle.dump((PARSER_VERSION, self._new), stream, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(target)


def _load(path: Path) -> dict[str, _Entry]:
    try:
        with path.open("rb") as stream:
            version, entries = pickle.load(stream)
    except FileNotFoundError:
        return {}
    except Exception:  # any unreadable cache is an empty cache, never a failed build
        return {}
    if version != PARSER_VERSION or not isinstance(entries, dict):
        return {}
    return entries


def _relocate(entry: _Entry, source: SourceFile) -> _Entry:
    display = str(source.path)
    if isinstance(entry, Diagnostic):
        return entry if entry.path == display else dataclasses.replace(entry, path=display)
    if entry.source == source:
        return entry
    return dataclasses.replace(
        entry,
        source=source,
        diagnostics=tuple(dataclasses.replace(d, path=display) for d in entry.diagnostics),
    )
