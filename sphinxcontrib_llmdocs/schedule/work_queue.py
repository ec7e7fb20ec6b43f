"""Ready prompts, handed out most urgent first: the longest remaining chain to the end of the graph."""

from __future__ import annotations

import heapq
import itertools
from collections import deque
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
        self._waiters: deque[anyio.Event] = deque()

    def __len__(self) -> int:
        return len(self._heap)

    def put(self, prompt_id: str) -> None:
        """Add a ready prompt (now, or after a retry's wait)."""
        if self._closed:
            raise RuntimeError("the work queue is closed")
        heapq.heappush(self._heap, (-self.priority.get(prompt_id, 0.0), next(self._counter), prompt_id))
        # One item, one worker woken: hundreds of idle workers need not all look.
        if self._waiters:
            self._waiters.popleft().set()

    def close(self) -> None:
        """No more work will come: waiting workers get ``None``."""
        self._closed = True
        while self._waiters:
            self._waiters.popleft().set()

    async def get(self) -> str | None:
        """The most urgent ready prompt, waiting for one; ``None`` once the queue is closed and empty."""
        while not self._heap:
            if self._closed:
                return None
            event = anyio.Event()
            self._waiters.append(event)
            try:
                await event.wait()
            except BaseException:
                # Cancelled: pass a wake-up meant for us on, so no item is left without a worker.
                if event in self._waiters:
                    self._waiters.remove(event)
                elif self._heap and self._waiters:
                    self._waiters.popleft().set()
                raise
        return heapq.heappop(self._heap)[2]
