"""The ``anthropic-batch`` backend: the Message Batches API, one batch per dependency wave.

The scheduler calls :meth:`~AnthropicBatchBackend.complete` once per prompt, as soon as the prompt's
dependencies are answered. Every prompt of a wave becomes ready at the same moment (when the previous batch
ends), so the backend gathers the calls that arrive within a short quiet window into one batch, submits it,
polls it with backoff until it ends, and hands each caller the result whose ``custom_id`` is its own.
``custom_id`` is a hash of the request's parameters, so the same prompt always has the same id.

Entries that failed on the service's side (errored, expired, canceled) are resubmitted in the next batch,
up to a limit. A truncated answer is asked again, once, with a larger limit (also in the next batch).

The ids of batches in flight are written to ``batches.json`` in the state directory (next to the response
cache) as soon as they are created, with the ``custom_id`` of every entry. A build that was interrupted
finds them there: a prompt whose ``custom_id`` is in a batch in flight waits for that batch instead of
paying for a new one. A batch is forgotten when the run that read its results ends (:meth:`aclose`): by
then the scheduler has stored every answer in the response cache, and until then a crash costs a second
download of the results, not a second batch.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anthropic
import anyio
from anthropic.types.messages import MessageBatchResult

from sphinxcontrib_llmdocs.config import LlmdocsConfig
from sphinxcontrib_llmdocs.errors import (
    AuthenticationError,
    BackendError,
    InvalidConfigError,
    TransientBackendError,
)
from sphinxcontrib_llmdocs.llm.anthropic_backend import (
    AnthropicBackend,
    Clock,
    completion_from_message,
    message_params,
    missing_key_message,
)
from sphinxcontrib_llmdocs.llm.protocol import Completion, CompletionRequest

__all__ = ["JOURNAL_NAME", "AnthropicBatchBackend", "BatchJournal", "batch_custom_id"]

#: File in the state directory that lists the batches in flight.
JOURNAL_NAME = "batches.json"

#: Error types of an ``errored`` batch entry that are worth resubmitting.
_TRANSIENT_ERRORS = frozenset({"rate_limit_error", "overloaded_error", "api_error", "timeout_error"})

#: The service keeps batch results for 29 days; older journal entries cannot be resumed.
_RESULTS_KEPT = timedelta(days=29)

Sleep = Callable[[float], Awaitable[None]]


def batch_custom_id(params: dict[str, Any]) -> str:
    """The ``custom_id`` of a batch entry: a hash of its parameters (64 hex digits, the API's limit)."""
    blob = json.dumps(params, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


def _utcnow() -> datetime:
    return datetime.now(UTC)


class BatchJournal:
    """The batches in flight, on disk: ``{"format": 1, "batches": {id: {"created", "custom_ids"}}}``.

    Holds ids only (never a key or a prompt). Written atomically; an unreadable file counts as empty.
    """

    def __init__(self, path: Path, *, clock: Clock = _utcnow) -> None:
        self.path = path
        self._clock = clock
        self._batches: dict[str, dict[str, Any]] = self._load()

    def _load(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            batches = data["batches"] if data.get("format") == 1 else {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}
        now = self._clock()
        kept: dict[str, dict[str, Any]] = {}
        for batch_id, entry in batches.items():
            try:
                created = datetime.fromisoformat(str(entry["created"]))
                ids = [str(i) for i in entry["custom_ids"]]
            except (KeyError, TypeError, ValueError):
                continue
            if now - created < _RESULTS_KEPT:
                kept[str(batch_id)] = {"created": created.isoformat(), "custom_ids": ids}
        return kept

    def _save(self) -> None:
        if not self._batches and not self.path.exists():
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        blob = json.dumps({"format": 1, "batches": self._batches}, indent=1, sort_keys=True) + "\n"
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(blob)
            Path(tmp).replace(self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @property
    def batch_ids(self) -> list[str]:
        """The ids of the batches in flight."""
        return sorted(self._batches)

    def batch_of(self, custom_id: str) -> str | None:
        """The batch in flight that holds ``custom_id``, if any."""
        for batch_id, entry in self._batches.items():
            if custom_id in entry["custom_ids"]:
                return batch_id
        return None

    def add(self, batch_id: str, custom_ids: Iterable[str]) -> None:
        """Record a batch just created."""
        self._batches[batch_id] = {"created": self._clock().isoformat(), "custom_ids": sorted(custom_ids)}
        self._save()

    def remove(self, batch_id: str) -> None:
        """Forget a batch whose results were read (or that no longer exists)."""
        if self._batches.pop(batch_id, None) is not None:
            self._save()


@dataclass
class _Entry:
    custom_id: str
    params: dict[str, Any]
    done: anyio.Event = field(default_factory=anyio.Event)
    result: MessageBatchResult | None = None
    error: BaseException | None = None


@dataclass
class _Group:
    entries: list[_Entry] = field(default_factory=list)


class AnthropicBatchBackend(AnthropicBackend):
    """Claude through the Message Batches API: half the price, answers within minutes to hours.

    :param state_dir: where ``batches.json`` lives; ``None`` keeps no journal (no resume).
    :param window: seconds without a new prompt after which the gathered prompts go out as one batch.
    :param poll_interval: first wait between two looks at a batch; doubles up to ``max_poll_interval``.
    :param max_resubmits: how often an entry that failed on the service's side is resubmitted.
    :param sleep: the sleep used between polls (tests pass one that does not wait).
    """

    name = "anthropic-batch"
    #: Asks the scheduler to let every ready prompt through at once, so one wave makes one batch.
    preferred_concurrency = 100_000

    def __init__(
        self,
        config: LlmdocsConfig,
        *,
        state_dir: Path | None = None,
        client: anthropic.AsyncAnthropic | None = None,
        clock: Clock = _utcnow,
        window: float = 0.1,
        poll_interval: float = 2.0,
        max_poll_interval: float = 60.0,
        max_resubmits: int = 2,
        max_batch_size: int = 10_000,
        sleep: Sleep = anyio.sleep,
    ) -> None:
        super().__init__(config, client=client, clock=clock)
        self.journal = BatchJournal(state_dir / JOURNAL_NAME, clock=clock) if state_dir else None
        self.window = window
        self.poll_interval = poll_interval
        self.max_poll_interval = max_poll_interval
        self.max_resubmits = max_resubmits
        self.max_batch_size = max_batch_size
        self._sleep = sleep
        self._open: _Group | None = None
        self._fetched: dict[str, MessageBatchResult] = {}
        self._read_batches: set[str] = set()
        #: Ids of every batch this backend created, in order (for reports and tests).
        self.created_batches: list[str] = []

    async def _ask(self, request: CompletionRequest, max_tokens: int) -> Completion:
        params = message_params(request, max_tokens=max_tokens)
        custom_id = batch_custom_id(params)
        for attempt in range(self.max_resubmits + 1):
            result = await self._submit(custom_id, params)
            if result.type == "succeeded":
                return completion_from_message(request, result.message, batch=True)
            if result.type == "errored":
                error = result.error.error
                kind, said = str(error.type), f"{error.type}: {error.message}"
                if kind in ("authentication_error", "permission_error"):
                    raise AuthenticationError(
                        f"the API refused the key in ${self._api_key_env} ({kind}); "
                        f"{missing_key_message(self._api_key_env)}"
                    )
                if kind not in _TRANSIENT_ERRORS:
                    raise BackendError(f"{request.prompt_id}: the batch entry failed: {said}")
                last = f"the batch entry failed: {said}"
            else:
                last = f"the batch entry was {result.type}"
            if attempt == self.max_resubmits:
                raise TransientBackendError(
                    f"{request.prompt_id}: {last} (resubmitted {self.max_resubmits} times)"
                )
        raise AssertionError("unreachable")  # pragma: no cover

    async def _submit(self, custom_id: str, params: dict[str, Any]) -> MessageBatchResult:
        """Join the batch being gathered (or lead a new one) and wait for this entry's result."""
        if custom_id in self._fetched:
            return self._fetched.pop(custom_id)
        entry = _Entry(custom_id, params)
        group = self._open
        leader = group is None or len(group.entries) >= self.max_batch_size
        if leader:
            group = self._open = _Group()
        assert group is not None
        group.entries.append(entry)
        if leader:
            await self._lead(group)
        else:
            await entry.done.wait()
        if entry.error is not None:
            raise entry.error
        if entry.result is None:
            raise TransientBackendError(f"batch entry {custom_id[:12]}: the batch was interrupted")
        return entry.result

    async def _lead(self, group: _Group) -> None:
        """Gather, submit (or resume), poll and distribute the results of one batch."""
        try:
            seen = -1
            while seen != len(group.entries) and len(group.entries) < self.max_batch_size:
                seen = len(group.entries)
                await anyio.sleep(self.window)
            if self._open is group:
                self._open = None
            await self._run_group(group)
        except (BackendError, InvalidConfigError) as exc:
            for entry in group.entries:
                entry.error = exc
        finally:
            if self._open is group:
                self._open = None
            for entry in group.entries:
                entry.done.set()

    async def _run_group(self, group: _Group) -> None:
        by_id: dict[str, list[_Entry]] = {}
        for entry in group.entries:
            by_id.setdefault(entry.custom_id, []).append(entry)
        pending = set(by_id)
        resumed = {self.journal.batch_of(c) for c in pending} if self.journal else set()
        for batch_id in sorted(b for b in resumed if b is not None and b not in self._read_batches):
            if await self._collect(batch_id):
                pending -= set(self._fetched)
        if pending:
            batch_id = await self._create([by_id[c][0] for c in sorted(pending)])
            await self._collect(batch_id)
        for custom_id, entries in by_id.items():
            result = self._fetched.pop(custom_id, None)
            for entry in entries:
                if result is None:
                    entry.error = TransientBackendError(
                        f"batch entry {custom_id[:12]}: no result in the batch's results"
                    )
                entry.result = result

    async def _create(self, entries: list[_Entry]) -> str:
        requests: Any = [{"custom_id": e.custom_id, "params": e.params} for e in entries]
        try:
            batch = await self._client.messages.batches.create(requests=requests)
        except anthropic.AnthropicError as exc:
            raise self._error(exc, f"batch of {len(entries)} prompts") from None
        self.created_batches.append(batch.id)
        if self.journal is not None:
            self.journal.add(batch.id, (e.custom_id for e in entries))
        return batch.id

    async def _collect(self, batch_id: str) -> bool:
        """Poll ``batch_id`` until it ends and keep its results; ``False`` when the batch is gone."""
        delay = self.poll_interval
        failures = 0
        while True:
            try:
                batch = await self._client.messages.batches.retrieve(batch_id)
            except anthropic.NotFoundError:
                if self.journal is not None:
                    self.journal.remove(batch_id)
                return False
            except anthropic.AnthropicError as exc:
                error = self._error(exc, f"batch {batch_id}")
                failures += 1
                if not isinstance(error, TransientBackendError) or failures > 5:
                    raise error from None
            else:
                failures = 0
                if batch.processing_status == "ended":
                    break
            await self._sleep(delay)
            delay = min(delay * 2, self.max_poll_interval)
        try:
            results = await self._client.messages.batches.results(batch_id)
            async for item in results:
                self._fetched[item.custom_id] = item.result
        except anthropic.AnthropicError as exc:
            raise self._error(exc, f"results of batch {batch_id}") from None
        self._read_batches.add(batch_id)
        return True

    async def aclose(self) -> None:
        """Forget the batches whose results this run read, then close the SDK's connections."""
        if self.journal is not None:
            for batch_id in sorted(self._read_batches):
                self.journal.remove(batch_id)
        await super().aclose()
