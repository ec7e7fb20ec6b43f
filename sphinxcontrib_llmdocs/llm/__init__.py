"""Language-model backends behind one small protocol, and the choice among them."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from sphinxcontrib_llmdocs.config import LlmdocsConfig
from sphinxcontrib_llmdocs.errors import InvalidConfigError
from sphinxcontrib_llmdocs.llm.cache_only import CacheOnlyBackend
from sphinxcontrib_llmdocs.llm.offline import OfflineBackend
from sphinxcontrib_llmdocs.llm.protocol import Backend, Completion, CompletionRequest, Usage

__all__ = [
    "Backend",
    "BackendChoice",
    "CacheOnlyBackend",
    "Completion",
    "CompletionRequest",
    "OfflineBackend",
    "Usage",
    "choose_backend",
]


@dataclass(frozen=True)
class BackendChoice:
    """The backend a run uses and, in words, why."""

    backend: Backend
    reason: str


def choose_backend(config: LlmdocsConfig) -> BackendChoice:
    """Pick the backend ``llmdocs_backend`` asks for.

    ``auto``: ``offline`` when no API key is set (so a fresh clone builds). A ``module:factory`` value is
    imported and called with the config.

    :raises InvalidConfigError: when the named backend cannot be made.
    """
    name = config.backend
    if ":" in name:
        module_name, _, attribute = name.partition(":")
        try:
            factory = getattr(importlib.import_module(module_name), attribute)
        except (ImportError, AttributeError) as exc:
            raise InvalidConfigError([f"llmdocs_backend: cannot import {name!r}: {exc}"]) from exc
        backend = factory(config)
        if not isinstance(backend, Backend):
            raise InvalidConfigError(
                [f"llmdocs_backend: {name!r} returned {type(backend).__name__}, not a backend"]
            )
        return BackendChoice(backend, f"custom backend {name}")
    if name == "offline":
        return BackendChoice(OfflineBackend(), "llmdocs_backend = 'offline'")
    if name == "cache-only":
        return BackendChoice(CacheOnlyBackend(), "llmdocs_backend = 'cache-only'")
    if name == "auto":
        if config.api_key is None and config.environ.get("READTHEDOCS"):
            return BackendChoice(
                CacheOnlyBackend(),
                f"no API key in ${config.api_key_env} on Read the Docs: answers come from the cache only",
            )
        if config.api_key is None:
            return BackendChoice(
                OfflineBackend(),
                f"no API key in ${config.api_key_env}: pages are written by the offline writer "
                "from docstrings and facts",
            )
        return BackendChoice(
            OfflineBackend(),
            f"an API key is set in ${config.api_key_env}, but this version has no 'anthropic' backend "
            "yet: pages are written by the offline writer",
        )
    raise InvalidConfigError([f"llmdocs_backend: {name!r} is not available in this version"])
