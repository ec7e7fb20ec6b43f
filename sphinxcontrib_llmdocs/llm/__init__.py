"""Language-model backends behind one small protocol, and the choice among them."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

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


def choose_backend(config: LlmdocsConfig, *, state_dir: Path | None = None) -> BackendChoice:
    """Pick the backend ``llmdocs_backend`` asks for.

    ``auto``: ``anthropic`` when the API key is set; without one, ``cache-only`` on Read the Docs and
    ``offline`` elsewhere (so a fresh clone builds), the reason saying so in one line. A ``module:factory``
    value is imported and called with the config.

    :param state_dir: the run's state folder; ``anthropic-batch`` keeps its in-flight batches there.
    :raises InvalidConfigError: when the named backend cannot be made.
    :raises AuthenticationError: when ``anthropic`` or ``anthropic-batch`` is asked for and no key is set.
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
    if name == "anthropic":
        from sphinxcontrib_llmdocs.llm.anthropic_backend import AnthropicBackend

        return BackendChoice(AnthropicBackend(config), "llmdocs_backend = 'anthropic'")
    if name == "anthropic-batch":
        from sphinxcontrib_llmdocs.llm.batch_backend import AnthropicBatchBackend

        return BackendChoice(
            AnthropicBatchBackend(config, state_dir=state_dir),
            "llmdocs_backend = 'anthropic-batch': one Message Batch per dependency wave",
        )
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
        from sphinxcontrib_llmdocs.llm.anthropic_backend import AnthropicBackend

        return BackendChoice(
            AnthropicBackend(config),
            f"an API key is set in ${config.api_key_env}: pages are written by Claude",
        )
    raise InvalidConfigError([f"llmdocs_backend: {name!r} is not available in this version"])
