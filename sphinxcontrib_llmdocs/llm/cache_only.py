"""The ``cache-only`` backend: serves the cache and never calls out (Read the Docs, pull-request builds)."""

from __future__ import annotations

import json

from sphinxcontrib_llmdocs.llm.offline import write_offline_answer
from sphinxcontrib_llmdocs.llm.protocol import Completion, CompletionRequest

__all__ = ["CacheOnlyBackend"]


class CacheOnlyBackend:
    """Answers only from the cache; the scheduler looks there first.

    A prompt that reaches :meth:`complete` was a cache miss: it gets the offline writer's text, marked as a
    placeholder so the page says it is not generated yet.
    """

    name = "cache-only"
    sends_requests = False
    reads_cache = True

    async def complete(self, request: CompletionRequest) -> Completion:
        """The offline text for a prompt the cache does not hold, marked as a placeholder."""
        text = json.dumps(write_offline_answer(request), ensure_ascii=False, sort_keys=True)
        return Completion(text=text, model="offline", from_model=False, placeholder=True)

    async def aclose(self) -> None:
        """Nothing to release."""
