"""The clock the scheduler reads and sleeps on; passed in, so timing is tested without sleeping."""

from __future__ import annotations

from typing import Protocol

import anyio

__all__ = ["AnyioClock", "Clock"]


class Clock(Protocol):
    """Monotonic seconds and a way to wait for them."""

    def now(self) -> float:
        """Seconds on a monotonic clock."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds``."""
        ...


class AnyioClock:
    """The event loop's clock: real time under asyncio, virtual time under trio's ``MockClock``."""

    def now(self) -> float:
        """The event loop's current time."""
        return anyio.current_time()

    async def sleep(self, seconds: float) -> None:
        """Sleep on the event loop."""
        await anyio.sleep(max(0.0, seconds))
