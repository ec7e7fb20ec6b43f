"""Helpers for testing documentation builds that use sphinxcontrib-llmdocs, without any network.

``llmdocs_backend = "sphinxcontrib_llmdocs.testing:FakeBackend"`` in a test ``conf.py`` makes every prompt a
"model" call that is answered deterministically (from the same facts the offline writer uses), counted as
sent, and cached, just as real answers are.
"""

from __future__ import annotations

import json

from sphinxcontrib_llmdocs.config import LlmdocsConfig
from sphinxcontrib_llmdocs.llm.offline import write_offline_answer
from sphinxcontrib_llmdocs.llm.protocol import Completion, CompletionRequest, Usage

__all__ = ["FakeBackend"]


class FakeBackend:
    """A model stand-in: deterministic answers, usage roughly proportional to the text, every call recorded.

    :param config: the run's configuration (unused; backend factories receive it).
    :param answers: optional fixed answer text per prompt id, to feed hostile or broken output.
    """

    name = "fake"
    sends_requests = True
    reads_cache = True

    def __init__(self, config: LlmdocsConfig | None = None, answers: dict[str, str] | None = None) -> None:
        self.requests: list[CompletionRequest] = []
        self.answers = dict(answers or {})

    async def complete(self, request: CompletionRequest) -> Completion:
        """Answer like the offline writer would, but as a model answer."""
        self.requests.append(request)
        text = self.answers.get(request.prompt_id)
        if text is None:
            text = json.dumps(write_offline_answer(request), ensure_ascii=False, sort_keys=True)
        usage = Usage(
            input_tokens=(len(request.system) + len(request.user)) // 4, output_tokens=len(text) // 4
        )
        return Completion(text=text, model=f"fake-{request.model}", usage=usage)

    async def aclose(self) -> None:
        """Nothing to release."""
