"""Content-addressed store of model answers: one JSON file per key, written atomically."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sphinxcontrib_llmdocs.errors import CacheEntryError
from sphinxcontrib_llmdocs.llm.protocol import Completion, CompletionRequest, Usage

__all__ = ["CACHE_FORMAT", "ResponseCache", "cache_key"]

#: Version of the entry layout; entries of another format are ignored, not misread.
CACHE_FORMAT = 1


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
        "schema": request.schema.model_json_schema(),
        "model": request.model,
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
        "template_version": request.template_version,
    }
    blob = json.dumps(material, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


@dataclass
class ResponseCache:
    """Answers on disk.

    :param local: the store under the doctree directory (always written).
    :param committed: an optional folder kept in version control, read first and written when set.
    """

    local: Path
    committed: Path | None = None

    def _path(self, root: Path, key: str) -> Path:
        return root / key[:2] / f"{key}.json"

    def _roots(self) -> list[Path]:
        return [r for r in (self.committed, self.local) if r is not None]

    def get(self, key: str) -> Completion | None:
        """The stored answer for ``key``, or ``None`` on a miss.

        :raises CacheEntryError: when an entry exists but cannot be read; the caller warns and asks again.
        """
        for root in self._roots():
            path = self._path(root, key)
            try:
                raw = path.read_text(encoding="utf-8")
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise CacheEntryError(f"{path}: cannot read cache entry: {exc}") from exc
            try:
                data = json.loads(raw)
                if data.get("format") != CACHE_FORMAT or data.get("key") != key:
                    raise ValueError("format or key does not match")
                usage = Usage(**data.get("usage", {}))
                return Completion(
                    text=str(data["text"]),
                    model=str(data["model"]),
                    usage=usage,
                    stop_reason=str(data.get("stop_reason", "end_turn")),
                )
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                raise CacheEntryError(f"{path}: corrupt cache entry ({exc}); it will be regenerated") from exc
        return None

    def put(self, key: str, request: CompletionRequest, completion: Completion) -> None:
        """Store ``completion`` under ``key`` in every configured root, atomically."""
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


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
