"""Content-addressed store of model answers: one JSON file per key, written atomically.

Safety under sharing: every entry is written to a temporary file in its own folder and renamed over the
final name, so a reader (another build, another process) sees either no entry or a whole one, never a
partial one. Two writers of one key write the same answer for the same key (the key hashes everything the
answer depends on); the last rename wins and both are complete. A build killed mid-write leaves at most a
``.<key>.json.<random>.tmp`` file, which readers ignore and ``cache prune`` removes.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from sphinxcontrib_llmdocs.errors import CacheEntryError
from sphinxcontrib_llmdocs.llm.protocol import Completion, CompletionRequest, Usage

__all__ = ["CACHE_FORMAT", "CacheEntry", "ResponseCache", "StoredAnswer", "cache_key", "iter_entries"]

#: Version of the entry layout; entries of another format are ignored, not misread.
CACHE_FORMAT = 1

_KEY_CHARS = frozenset("0123456789abcdef")


@functools.cache
def _schema_json(schema: type[BaseModel]) -> dict[str, Any]:
    # Generating a JSON schema costs about a millisecond; a build asks for it once per prompt.
    return schema.model_json_schema()


def cache_key(request: CompletionRequest) -> str:
    """The key of ``request``: a hash over everything that can change the answer.

    Prompt kind, system and user text, response schema, model, generation parameters and template
    version; nothing else (no paths, no timestamps, no API key).
    """
    material = {
        "format": CACHE_FORMAT,
        "kind": request.kind,
        "system": request.system,
        "user": request.user,
        "schema": _schema_json(request.schema),
        "model": request.model,
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
        "template_version": request.template_version,
    }
    blob = json.dumps(material, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


@dataclass(frozen=True)
class StoredAnswer:
    """What this run stored for one key: enough for the run report's tokens and cost by kind."""

    key: str
    prompt_id: str
    kind: str
    request_model: str
    model: str
    usage: Usage


@dataclass(frozen=True)
class CacheEntry:
    """One entry file as ``cache stats`` and ``cache prune`` see it."""

    path: Path
    key: str
    kind: str
    model: str
    size: int
    valid: bool


@dataclass
class ResponseCache:
    """Answers on disk.

    :param local: the store under the doctree directory (always written).
    :param committed: an optional folder kept in version control, read first and written when set.

    The run's own bookkeeping (``stored``, ``hit_keys``) lets the run report say which prompts were
    answered by the model in this build and what they cost.
    """

    local: Path
    committed: Path | None = None
    stored: dict[str, StoredAnswer] = field(default_factory=dict, repr=False)
    hit_keys: set[str] = field(default_factory=set, repr=False)

    def _path(self, root: Path, key: str) -> Path:
        return root / key[:2] / f"{key}.json"

    def _roots(self) -> list[Path]:
        return [r for r in (self.committed, self.local) if r is not None]

    def entry_paths(self, key: str) -> list[Path]:
        """The files that hold ``key`` in each configured root (existing or not), committed first."""
        return [self._path(root, key) for root in self._roots()]

    def get(self, key: str) -> Completion | None:
        """The stored answer for ``key``, or ``None`` on a miss.

        The committed folder is read first. An answer found only in the local store is copied into the
        committed folder when one is configured, so committing that folder after a local build captures
        every answer the build used.

        :raises CacheEntryError: when an entry exists but cannot be read; the caller warns and asks again.
        """
        for root in self._roots():
            path = self._path(root, key)
            try:
                raw = path.read_text(encoding="utf-8")
            except FileNotFoundError:
                continue
            except (OSError, UnicodeDecodeError) as exc:
                raise CacheEntryError(
                    f"{path}: cannot read cache entry ({exc}); it will be regenerated"
                ) from exc
            completion = _parse_entry(raw, key, path)
            if self.committed is not None and root != self.committed:
                committed = self._path(self.committed, key)
                if not committed.exists():
                    _atomic_write(committed, raw)
            self.hit_keys.add(key)
            return completion
        return None

    def put(self, key: str, request: CompletionRequest, completion: Completion) -> None:
        """Store ``completion`` under ``key`` in every configured root, atomically.

        The entry holds no path, timestamp or secret: the same answer gives the same bytes on every machine,
        so a committed folder shows no churn.
        """
        entry = {
            "format": CACHE_FORMAT,
            "key": key,
            "kind": request.kind,
            "prompt_id": request.prompt_id,
            "model": completion.model,
            "text": completion.text,
            "stop_reason": completion.stop_reason,
            "usage": {
                "input_tokens": completion.usage.input_tokens,
                "output_tokens": completion.usage.output_tokens,
                "cache_creation_input_tokens": completion.usage.cache_creation_input_tokens,
                "cache_read_input_tokens": completion.usage.cache_read_input_tokens,
            },
        }
        blob = json.dumps(entry, sort_keys=True, ensure_ascii=False, indent=1) + "\n"
        for root in self._roots():
            _atomic_write(self._path(root, key), blob)
        self.stored[key] = StoredAnswer(
            key, request.prompt_id, request.kind, request.model, completion.model, completion.usage
        )


def _parse_entry(raw: str, key: str, path: Path) -> Completion:
    try:
        data = json.loads(raw)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        if data.get("format") != CACHE_FORMAT or data.get("key") != key:
            raise ValueError("format or key does not match")
        text, model = data["text"], data["model"]
        if not isinstance(text, str) or not isinstance(model, str):
            raise TypeError("text and model must be strings")
        usage = data.get("usage", {})
        if not isinstance(usage, dict) or not all(isinstance(v, int) for v in usage.values()):
            raise TypeError("usage must map token kinds to whole numbers")
        return Completion(
            text=text,
            model=model,
            usage=Usage(**usage),
            stop_reason=str(data.get("stop_reason", "end_turn")),
        )
    except (ValueError, TypeError, KeyError) as exc:
        raise CacheEntryError(f"{path}: corrupt cache entry ({exc}); it will be regenerated") from exc


def iter_entries(root: Path) -> Iterator[CacheEntry]:
    """Every entry file under ``root`` (valid or not), in a stable order; temporary files are skipped."""
    if not root.is_dir():
        return
    for path in sorted(root.glob("*/*.json")):
        key = path.stem
        if len(key) != 64 or not set(key) <= _KEY_CHARS or path.parent.name != key[:2]:
            continue
        try:
            raw = path.read_text(encoding="utf-8")
            size = path.stat().st_size
        except (OSError, UnicodeDecodeError):
            yield CacheEntry(path, key, "?", "?", 0, valid=False)
            continue
        try:
            _parse_entry(raw, key, path)
            data = json.loads(raw)
            yield CacheEntry(path, key, str(data.get("kind", "?")), str(data["model"]), size, valid=True)
        except CacheEntryError:
            yield CacheEntry(path, key, "?", "?", size, valid=False)


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes owner-only files; entries are meant to be shared (a committed folder, CI caches).
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
