"""The one small protocol every backend speaks, and the records that cross it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from pydantic import BaseModel

__all__ = ["Backend", "Completion", "CompletionRequest", "RateLimitInfo", "Usage"]


@dataclass(frozen=True)
class Usage:
    """Tokens a completion cost, as the service counts them."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.cache_creation_input_tokens + other.cache_creation_input_tokens,
            self.cache_read_input_tokens + other.cache_read_input_tokens,
        )


@dataclass(frozen=True)
class RateLimitInfo:
    """What the service said about its rate limits with an answer (``anthropic-ratelimit-*`` headers).

    Every field is optional: a backend reports what it saw. Reset times are seconds from now.
    """

    requests_limit: int | None = None
    requests_remaining: int | None = None
    input_tokens_limit: int | None = None
    input_tokens_remaining: int | None = None
    output_tokens_limit: int | None = None
    output_tokens_remaining: int | None = None
    reset_after: float | None = None
    retry_after: float | None = None


@dataclass(frozen=True)
class CompletionRequest:
    """One prompt, ready to send.

    :param schema: the pydantic model a valid answer must match (as JSON).
    :param evidence: the structured evidence the user text was written from; the offline writer reads it.
        It is not part of the cache key: the user text already carries the same facts.
    :param shared_prefix_chars: how many leading characters of ``user`` are shared with sibling prompts
        (the context of one module, say). Backends with prompt caching send them as a block of their own,
        marked for caching, so siblings read it from the cache. It does not change the answer.
    """

    prompt_id: str
    kind: str
    model: str
    system: str
    user: str
    schema: type[BaseModel]
    max_tokens: int = 2048
    temperature: float = 0.0
    template_version: int = 1
    evidence: Mapping[str, object] = field(default_factory=dict, compare=False, repr=False)
    shared_prefix_chars: int = 0


@dataclass(frozen=True)
class Completion:
    """A backend's answer.

    :param from_model: ``False`` for text the offline writer produced; such answers are never cached.
    :param rate_limit: rate-limit state the service reported with this answer, for the scheduler's limiter.
    :param placeholder: the answer stands in for a missing one (``cache-only`` miss); pages say so.
    :param batch: answered through the Message Batches API, which is billed at the batch price.
    """

    text: str
    model: str
    usage: Usage = Usage()
    stop_reason: str = "end_turn"
    from_model: bool = True
    rate_limit: RateLimitInfo | None = None
    placeholder: bool = False
    batch: bool = False


@runtime_checkable
class Backend(Protocol):
    """Anything that answers :class:`CompletionRequest` objects.

    ``name`` appears in reports and on pages ("written by ..."); ``sends_requests`` is ``True`` for
    backends that call a model (their answers are cached and counted as prompts sent); ``reads_cache`` is
    ``True`` when the scheduler should look in the response cache before asking the backend.

    Optional, not part of the protocol check: ``preferred_concurrency`` (an ``int``), how many prompts the
    backend wants in flight at once. ``anthropic-batch`` asks for every ready prompt (one batch per wave);
    the pipeline then uses it instead of ``llmdocs_max_concurrency``.
    """

    name: str
    sends_requests: bool
    reads_cache: bool

    async def complete(self, request: CompletionRequest) -> Completion:
        """Answer one request."""
        ...

    async def aclose(self) -> None:
        """Release connections; called once when the run ends."""
        ...
