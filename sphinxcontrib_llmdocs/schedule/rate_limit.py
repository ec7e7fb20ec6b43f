"""A rate limiter for requests, input tokens and output tokens per minute.

It keeps a ledger of what was admitted in the last 60 seconds and admits a request only when the ledger plus
the request stays within every limit, so no window of one minute ever exceeds a configured limit. It also
learns from what the service reports (:class:`~sphinxcontrib_llmdocs.llm.protocol.RateLimitInfo`): a lower
limit replaces the configured one, an exhausted remainder waits for its reset, and a ``retry-after`` pauses
every request.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

import anyio

from sphinxcontrib_llmdocs.llm.protocol import CompletionRequest, RateLimitInfo, Usage
from sphinxcontrib_llmdocs.schedule.clock import Clock

__all__ = ["DIMENSIONS", "WINDOW", "Cost", "RateLimiter", "RateLimits", "estimate_cost"]

#: Length of a rate-limit window in seconds.
WINDOW = 60.0
#: The limited quantities, in the order of :class:`Cost`'s fields.
DIMENSIONS = ("requests", "input_tokens", "output_tokens")
#: Characters per input token assumed before the service counts them; low on purpose (an overestimate).
CHARS_PER_TOKEN = 3.0


@dataclass(frozen=True)
class RateLimits:
    """Per-minute limits; ``None`` means unlimited."""

    requests_per_minute: int | None = None
    input_tokens_per_minute: int | None = None
    output_tokens_per_minute: int | None = None

    @classmethod
    def from_mapping(cls, values: Mapping[str, int | None]) -> RateLimits:
        """From the ``llmdocs_rate_limits`` dict (already validated)."""
        return cls(**dict(values))

    def of(self, dimension: str) -> int | None:
        """The limit of ``dimension`` (one of :data:`DIMENSIONS`)."""
        value: int | None = getattr(self, f"{dimension}_per_minute")
        return value


@dataclass(frozen=True)
class Cost:
    """What one request takes from each limit."""

    requests: int = 1
    input_tokens: int = 0
    output_tokens: int = 0

    def of(self, dimension: str) -> int:
        """The amount of ``dimension``."""
        value: int = getattr(self, dimension)
        return value


def estimate_cost(request: CompletionRequest) -> Cost:
    """A request's cost before it is sent: input from its length (generously), output at ``max_tokens``
    (as the service itself counts output tokens until the answer is known)."""
    chars = len(request.system) + len(request.user)
    return Cost(1, math.ceil(chars / CHARS_PER_TOKEN), request.max_tokens)


@dataclass
class _Entry:
    time: float
    cost: Cost


@dataclass
class _Reported:
    remaining: int
    until: float


@dataclass
class Ticket:
    """An admitted request; :meth:`RateLimiter.settle` corrects its cost once the usage is known."""

    entry: _Entry = field(repr=False)


class RateLimiter:
    """Admits requests within per-minute limits, in the order they asked.

    :param limits: the configured limits (``llmdocs_rate_limits``).
    :param clock: where the time comes from and how to wait.
    """

    def __init__(self, limits: RateLimits, clock: Clock) -> None:
        self.limits = limits
        self.clock = clock
        self._ledger: deque[_Entry] = deque()
        self._learned: dict[str, int] = {}
        self._reported: dict[str, _Reported] = {}
        self._paused_until = -math.inf
        self._lock: anyio.Lock | None = None
        #: Seconds spent waiting for the limits, for the run statistics.
        self.waited = 0.0

    def limit(self, dimension: str) -> int | None:
        """The limit in force: the configured one or a lower one the service reported."""
        configured = self.limits.of(dimension)
        learned = self._learned.get(dimension)
        if configured is None:
            return learned
        return configured if learned is None else min(configured, learned)

    def used(self, dimension: str, now: float) -> int:
        """What the requests admitted in the last minute took of ``dimension``."""
        return sum(e.cost.of(dimension) for e in self._ledger if e.time > now - WINDOW)

    def delay(self, cost: Cost, now: float) -> float:
        """Seconds until ``cost`` may be admitted (0 when it may be now). Pure given the ledger."""
        wait = max(0.0, self._paused_until - now)
        for dimension in DIMENSIONS:
            need = cost.of(dimension)
            reported = self._reported.get(dimension)
            if reported is not None and reported.until > now and reported.remaining < need:
                wait = max(wait, reported.until - now)
            limit = self.limit(dimension)
            if limit is None or need == 0:
                continue
            window = [e for e in self._ledger if e.time > now - WINDOW and e.cost.of(dimension)]
            used = sum(e.cost.of(dimension) for e in window)
            # A request larger than the whole limit goes alone, once the window is empty.
            allowed = max(limit, need)
            for entry in window:
                if used + need <= allowed:
                    break
                used -= entry.cost.of(dimension)
                wait = max(wait, entry.time + WINDOW - now)
        return wait

    async def acquire(self, cost: Cost) -> Ticket:
        """Wait until ``cost`` fits every limit, then record it. Requests are admitted first come, first
        served, so a large request is not starved by small ones."""
        if self._lock is None:
            self._lock = anyio.Lock()
        async with self._lock:
            while True:
                now = self.clock.now()
                wait = self.delay(cost, now)
                if wait <= 0:
                    break
                self.waited += wait
                await self.clock.sleep(wait)
            entry = _Entry(now, cost)
            self._ledger.append(entry)
            self._prune(now)
            for dimension, reported in self._reported.items():
                if reported.until > now:
                    reported.remaining -= cost.of(dimension)
            return Ticket(entry)

    def settle(self, ticket: Ticket, usage: Usage) -> None:
        """Replace the estimate of an answered request by what the service counted.

        Cache reads do not count towards the service's input limit; cache writes do.
        """
        estimate = ticket.entry.cost
        ticket.entry.cost = Cost(
            estimate.requests,
            usage.input_tokens + usage.cache_creation_input_tokens,
            usage.output_tokens,
        )

    def observe(self, info: RateLimitInfo | None) -> None:
        """Learn from the rate-limit state the service reported with an answer."""
        if info is None:
            return
        now = self.clock.now()
        for dimension in DIMENSIONS:
            reported_limit = getattr(info, f"{dimension}_limit")
            if isinstance(reported_limit, int) and reported_limit > 0:
                self._learned[dimension] = reported_limit
            remaining = getattr(info, f"{dimension}_remaining")
            if isinstance(remaining, int):
                reset = info.reset_after if info.reset_after is not None else WINDOW
                self._reported[dimension] = _Reported(remaining, now + max(0.0, reset))
        if info.retry_after is not None:
            self.pause(info.retry_after)

    def pause(self, seconds: float) -> None:
        """Admit nothing for ``seconds`` (a ``retry-after`` applies to the whole account)."""
        self._paused_until = max(self._paused_until, self.clock.now() + max(0.0, seconds))

    def _prune(self, now: float) -> None:
        while self._ledger and self._ledger[0].time <= now - WINDOW:
            self._ledger.popleft()
