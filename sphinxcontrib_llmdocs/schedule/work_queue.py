"""Ready prompts, handed out most urgent first: the longest remaining chain to the end of the graph."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Mapping

import anyio

__all__ = ["WorkQueue"]


class WorkQueue:
    """A priority queue of ready prompt ids for the workers of one run.

    :param priority: per prompt id, larger goes first (the critical-path length); ties go in the order
        the prompts became ready. All zeros make it a plain FIFO queue.
    """

    def __init__(self, priority: Mapping[str, float]) -> None:
        self.priority = priority
        self._heap: list[tuple[float, int, str]] = []
        self._counter = itertools.count()
        self._closed = False
        self._wakeup: anyio.Event | None = None

    def __len__(self) -> int:
        return len(self._heap)

    def put(self, prompt_id: str) -> None:
        """Add a ready prompt (now, or after a retry's wait)."""
        if self._closed:
            raise RuntimeError("the work queue is closed")
        heapq.heappush(self._heap, (-self.priority.get(prompt_id, 0.0), next(self._counter), prompt_id))
        self._wake()

    def close(self) -> None:
        """No more work will come: waiting workers get ``None``."""
        self._closed = True
        self._wake()

    async def get(self) -> str | None:
        """The most urgent ready prompt, waiting for one; ``None`` once the queue is closed and empty."""
        while not self._heap:
            if self._closed:
                return None
            if self._wakeup is None:
                self._wakeup = anyio.Event()
            await self._wakeup.wait()
        return heapq.heappop(self._heap)[2]

    def _wake(self) -> None:
        if self._wakeup is not None:
            self._wakeup.set()
            self._wakeup = None
