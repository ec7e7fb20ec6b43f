"""A model stand-in that answers like FakeBackend after a delay, and logs each call's start and end.

``LLMDOCS_SLOW_SECONDS``: seconds per answer (default 0). ``LLMDOCS_SLOW_LOG``: a file that receives one
line ``start <prompt id>`` / ``end <prompt id>`` per call (appended, flushed at once).
"""

import os

import anyio

from sphinxcontrib_llmdocs.testing import FakeBackend


class SlowBackend:
    name = "slow"
    sends_requests = True
    reads_cache = True

    def __init__(self, config):
        self.fake = FakeBackend(config)
        self.delay = float(os.environ.get("LLMDOCS_SLOW_SECONDS", "0"))
        self.log = os.environ.get("LLMDOCS_SLOW_LOG")

    def _note(self, event, prompt_id):
        if self.log:
            with open(self.log, "a", encoding="utf-8") as handle:
                handle.write(f"{event} {prompt_id}\n")
                handle.flush()

    async def complete(self, request):
        self._note("start", request.prompt_id)
        await anyio.sleep(self.delay)
        completion = await self.fake.complete(request)
        self._note("end", request.prompt_id)
        return completion

    async def aclose(self):
        pass
