"""The ``anthropic`` backend: Claude through the official SDK, one Messages API call per prompt.

What it adds to a bare ``messages.create``:

- structured output: the request's pydantic schema goes out as ``output_config.format`` (JSON schema), so
  the answer is JSON for that schema; the scheduler still validates it with pydantic;
- prompt caching: the system prompt, and the prefix of the user text shared with sibling prompts
  (``CompletionRequest.shared_prefix_chars``), are blocks marked ``cache_control``;
- usage (input, output, cache write, cache read tokens) and the ``anthropic-ratelimit-*`` / ``retry-after``
  headers on every :class:`~sphinxcontrib_llmdocs.llm.protocol.Completion`;
- the SDK's own retries are off: the scheduler owns retries, so faults never multiply. Errors map onto
  :mod:`sphinxcontrib_llmdocs.errors` (:func:`backend_error`).

The API key comes from the environment variable named by ``llmdocs_api_key_env``; it is handed to the SDK
and never stored, logged or put into a message.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import anthropic
import pydantic
from anthropic.types import Message

from sphinxcontrib_llmdocs.config import LlmdocsConfig
from sphinxcontrib_llmdocs.errors import (
    AuthenticationError,
    BackendError,
    ContractViolationError,
    InvalidConfigError,
    PromptRefusedError,
    TransientBackendError,
)
from sphinxcontrib_llmdocs.llm.protocol import Completion, CompletionRequest, RateLimitInfo, Usage

__all__ = [
    "MAX_OUTPUT_TOKENS",
    "AnthropicBackend",
    "backend_error",
    "completion_from_message",
    "make_client",
    "message_params",
    "missing_key_message",
    "rate_limit_from_headers",
    "retry_after_from_headers",
]

#: The largest ``max_tokens`` the backend asks for when it retries a truncated answer.
MAX_OUTPUT_TOKENS = 32_000

#: HTTP statuses worth retrying: timeout, conflict, rate limit, server errors, overloaded.
_TRANSIENT_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504, 529})

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def missing_key_message(api_key_env: str) -> str:
    """How to set the key, for a run that needs one and has none (or a refused one)."""
    return (
        f"set the environment variable {api_key_env} to your Anthropic API key "
        f"(for example `export {api_key_env}=...` in the shell that runs sphinx-build, or a CI secret); "
        "`llmdocs_api_key_env` names another variable; `llmdocs_backend = 'offline'` builds without a key"
    )


def make_client(config: LlmdocsConfig) -> anthropic.AsyncAnthropic:
    """An SDK client for ``config``: its key and timeout, ``ANTHROPIC_BASE_URL`` when set, no SDK retries.

    :raises AuthenticationError: when the key's environment variable is empty.
    """
    key = config.api_key
    if key is None:
        raise AuthenticationError(f"no API key: {missing_key_message(config.api_key_env)}")
    return anthropic.AsyncAnthropic(
        api_key=key,
        base_url=config.environ.get("ANTHROPIC_BASE_URL") or None,
        timeout=config.timeout,
        max_retries=0,
    )


def message_params(request: CompletionRequest, *, max_tokens: int | None = None) -> dict[str, Any]:
    """The ``messages.create`` parameters for ``request`` (also the ``params`` of a batch entry).

    The system prompt and the shared prefix of the user text are blocks marked for prompt caching.
    ``request.temperature`` is not sent: this SDK's ``messages.create`` has no such parameter (the
    structured-output schema, not sampling, keeps answers in shape).
    """
    user = request.user
    split = max(0, min(request.shared_prefix_chars, len(user)))
    ephemeral = {"type": "ephemeral"}
    if 0 < split < len(user):
        content: list[dict[str, Any]] = [
            {"type": "text", "text": user[:split], "cache_control": ephemeral},
            {"type": "text", "text": user[split:]},
        ]
    else:
        content = [{"type": "text", "text": user}]
    return {
        "model": request.model,
        "max_tokens": max_tokens or request.max_tokens,
        "system": [{"type": "text", "text": request.system, "cache_control": ephemeral}],
        "messages": [{"role": "user", "content": content}],
        "output_config": {
            "format": {"type": "json_schema", "schema": anthropic.transform_schema(request.schema)}
        },
    }


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def retry_after_from_headers(headers: Mapping[str, str], now: datetime) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``retry-after`` (seconds or an HTTP date), if present."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = (parsedate_to_datetime(value) - now).total_seconds()
        except (TypeError, ValueError):
            return None
    return max(0.0, seconds) if math.isfinite(seconds) else None


def rate_limit_from_headers(headers: Mapping[str, str], now: datetime) -> RateLimitInfo | None:
    """What ``anthropic-ratelimit-*`` and ``retry-after`` headers say; ``None`` when there are none.

    ``reset_after`` is the soonest of the reset times, in seconds from ``now``.
    """
    prefix = "anthropic-ratelimit-"
    resets: list[float] = []
    for name, value in headers.items():
        if name.lower().startswith(prefix) and name.lower().endswith("-reset"):
            try:
                moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                continue
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            resets.append(max(0.0, (moment - now).total_seconds()))
    info = RateLimitInfo(
        requests_limit=_int(headers.get(prefix + "requests-limit")),
        requests_remaining=_int(headers.get(prefix + "requests-remaining")),
        input_tokens_limit=_int(headers.get(prefix + "input-tokens-limit")),
        input_tokens_remaining=_int(headers.get(prefix + "input-tokens-remaining")),
        output_tokens_limit=_int(headers.get(prefix + "output-tokens-limit")),
        output_tokens_remaining=_int(headers.get(prefix + "output-tokens-remaining")),
        reset_after=min(resets) if resets else None,
        retry_after=retry_after_from_headers(headers, now),
    )
    return None if info == RateLimitInfo() else info


def _scrub(text: str, key: str | None) -> str:
    # The service never echoes the key, but a proxy might: a message must never carry it.
    return text.replace(key, "[API key]") if key else text


def backend_error(
    exc: anthropic.AnthropicError,
    *,
    prompt_id: str,
    api_key_env: str,
    api_key: str | None = None,
    now: datetime | None = None,
) -> BackendError | InvalidConfigError:
    """The project's error for an SDK error.

    Transient (429, 529, 5xx, 408, 409, timeouts, dropped connections) ->
    :class:`~sphinxcontrib_llmdocs.errors.TransientBackendError` with ``retry_after``; 401/403 ->
    :class:`~sphinxcontrib_llmdocs.errors.AuthenticationError` saying how to set the key; 404 ->
    :class:`~sphinxcontrib_llmdocs.errors.InvalidConfigError` (an unknown model); a body that is not a
    message -> :class:`~sphinxcontrib_llmdocs.errors.ContractViolationError`; anything else (400, 413, ...)
    -> :class:`~sphinxcontrib_llmdocs.errors.BackendError`, which fails the prompt.
    """
    now = now or _utcnow()
    if isinstance(exc, anthropic.APITimeoutError):
        return TransientBackendError(f"{prompt_id}: the API did not answer in time (timeout)")
    if isinstance(exc, anthropic.APIConnectionError):
        return TransientBackendError(f"{prompt_id}: connection to the API failed ({type(exc).__name__})")
    if isinstance(exc, anthropic.APIResponseValidationError):
        return ContractViolationError(f"{prompt_id}: the API's response is not a valid message")
    if not isinstance(exc, anthropic.APIStatusError):
        return BackendError(_scrub(f"{prompt_id}: {type(exc).__name__}: {exc}", api_key))
    status = exc.status_code
    kind = exc.type or "error"
    detail = _scrub(exc.api_message or "", api_key)
    said = f"{status} {kind}" + (f": {detail}" if detail else "")
    if status in (401, 403):
        return AuthenticationError(
            f"the API refused the key in ${api_key_env} ({status} {kind}); {missing_key_message(api_key_env)}"
        )
    if status in _TRANSIENT_STATUSES or status >= 500:
        headers = {k.lower(): v for k, v in exc.response.headers.items()}
        return TransientBackendError(
            f"{prompt_id}: the API answered {said}", retry_after=retry_after_from_headers(headers, now)
        )
    if status == 404 and kind == "not_found_error":
        return InvalidConfigError(
            [f"llmdocs_model / llmdocs_analysis_model: the API answered {said} (is the model name right?)"]
        )
    return BackendError(f"{prompt_id}: the API answered {said}")


def completion_from_message(
    request: CompletionRequest,
    message: object,
    *,
    rate_limit: RateLimitInfo | None = None,
    batch: bool = False,
) -> Completion:
    """A :class:`Completion` from an SDK :class:`~anthropic.types.Message`.

    :raises ContractViolationError: when ``message`` is not a message (a malformed body).
    :raises PromptRefusedError: when the model refused, with its reason.
    :raises BackendError: when the prompt overflowed the model's context window (not worth retrying).
    """
    if not isinstance(message, Message):
        raise ContractViolationError(f"{request.prompt_id}: the API's response is not a message")
    try:
        text = "".join(
            str(getattr(block, "text", ""))
            for block in message.content
            if getattr(block, "type", "") == "text"
        )
        stop_reason = str(message.stop_reason or "end_turn")
        usage = Usage(
            input_tokens=int(message.usage.input_tokens or 0),
            output_tokens=int(message.usage.output_tokens or 0),
            cache_creation_input_tokens=int(message.usage.cache_creation_input_tokens or 0),
            cache_read_input_tokens=int(message.usage.cache_read_input_tokens or 0),
        )
        model = str(message.model or request.model)
    except (AttributeError, TypeError, ValueError) as exc:
        raise ContractViolationError(f"{request.prompt_id}: the API's message is incomplete ({exc})") from exc
    if stop_reason == "refusal":
        details = message.stop_details
        reason = (
            (details.explanation if details is not None else None)
            or (f"policy category {details.category}" if details is not None and details.category else None)
            or text.strip()
            or "no reason given"
        )
        raise PromptRefusedError(
            f"{request.prompt_id}: the model declined to answer: {reason}", reason=reason
        )
    if stop_reason == "model_context_window_exceeded":
        # Asking again cannot help: the prompt itself is too long for the model.
        raise BackendError(
            f"{request.prompt_id}: the prompt and its answer do not fit the model's context window"
        )
    return Completion(
        text=text,
        model=model,
        usage=usage,
        stop_reason=stop_reason,
        rate_limit=rate_limit,
        batch=batch,
    )


class AnthropicBackend:
    """Claude through ``AsyncAnthropic``: one ``messages.create`` per prompt.

    :param config: the run's configuration (key variable, timeout).
    :param client: an SDK client to use instead of one made from ``config`` (tests).
    :param clock: the current time, for rate-limit reset and ``retry-after`` dates.
    :raises AuthenticationError: when no key is set.
    """

    name = "anthropic"
    sends_requests = True
    reads_cache = True

    def __init__(
        self,
        config: LlmdocsConfig,
        *,
        client: anthropic.AsyncAnthropic | None = None,
        clock: Clock = _utcnow,
    ) -> None:
        self._client = client or make_client(config)
        self._api_key_env = config.api_key_env
        self._api_key = config.api_key
        self._clock = clock

    def _error(self, exc: anthropic.AnthropicError, prompt_id: str) -> BackendError | InvalidConfigError:
        return backend_error(
            exc,
            prompt_id=prompt_id,
            api_key_env=self._api_key_env,
            api_key=self._api_key,
            now=self._clock(),
        )

    async def complete(self, request: CompletionRequest) -> Completion:
        """Ask once; a truncated answer (``max_tokens``) is asked again once with a larger limit.

        :raises TransientBackendError: rate limit, overload, server error, timeout, dropped connection.
        :raises AuthenticationError: the key was refused.
        :raises ContractViolationError: a malformed response, or an answer still truncated after the retry.
        :raises PromptRefusedError: the model refused.
        """
        completion = await self._ask(request, request.max_tokens)
        if completion.stop_reason != "max_tokens":
            return completion
        larger = min(max(request.max_tokens * 2, 1024), MAX_OUTPUT_TOKENS)
        if larger > request.max_tokens:
            first = completion.usage
            completion = await self._ask(request, larger)
            completion = replace(completion, usage=first + completion.usage)
            if completion.stop_reason != "max_tokens":
                return completion
        raise ContractViolationError(
            f"{request.prompt_id}: answer truncated at max_tokens ({larger} tokens), even after a retry "
            "with a larger limit"
        )

    async def _ask(self, request: CompletionRequest, max_tokens: int) -> Completion:
        params = message_params(request, max_tokens=max_tokens)
        try:
            raw = await self._client.messages.with_raw_response.create(**params)
            message = await raw.parse()
        except anthropic.AnthropicError as exc:
            raise self._error(exc, request.prompt_id) from None
        except (ValueError, pydantic.ValidationError) as exc:
            # A body that is not JSON (the SDK lets json.loads' error through).
            raise ContractViolationError(
                f"{request.prompt_id}: the API's response is not valid JSON ({type(exc).__name__})"
            ) from None
        headers = {k.lower(): v for k, v in raw.headers.items()}
        rate_limit = rate_limit_from_headers(headers, self._clock())
        return completion_from_message(request, message, rate_limit=rate_limit)

    async def count_tokens(self, request: CompletionRequest) -> int:
        """Input tokens of ``request`` as the API counts them (for estimates; costs nothing)."""
        params = message_params(request)
        params.pop("max_tokens")
        try:
            result = await self._client.messages.count_tokens(**params)
        except anthropic.AnthropicError as exc:
            raise self._error(exc, request.prompt_id) from None
        return int(result.input_tokens)

    async def aclose(self) -> None:
        """Close the SDK's connections."""
        await self._client.close()
