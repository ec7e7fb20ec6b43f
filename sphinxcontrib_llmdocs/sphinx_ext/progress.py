"""The scheduler's progress on Sphinx's status display, and the run's summary line at the end."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import TracebackType

from sphinx.application import Sphinx
from sphinx.util.console import color_terminal, colorize

from sphinxcontrib_llmdocs.llm.prices import PriceTable
from sphinxcontrib_llmdocs.pipeline import Generation
from sphinxcontrib_llmdocs.schedule import RunStats, format_progress, format_summary
from sphinxcontrib_llmdocs.sphinx_ext.warnings import LlmdocsWarning, logger, warn

__all__ = ["SphinxProgress", "warn_missing_inputs"]

_LABEL = "llmdocs: generating... "


class SphinxProgress:
    """Shows ``done/total`` prompts, cache hits and failures while the scheduler runs, the way Sphinx's own
    ``status_iterator`` does: rewritten in place on a terminal, a line per tenth of the way otherwise.
    On leaving the ``with`` block (also after an error) it prints one summary line.

    The scheduler calls it from the thread it runs in; updates are serialised.

    :param min_interval: seconds between two in-place updates (the scheduler may settle thousands of cached
        prompts in a moment).
    :param prices: the price table for the cost (``llmdocs_prices`` applied); the shipped one by default.
    """

    def __init__(
        self,
        app: Sphinx,
        *,
        min_interval: float = 0.1,
        monotonic: Callable[[], float] = time.monotonic,
        prices: PriceTable | None = None,
    ) -> None:
        self.single_line = app.verbosity < 1 and color_terminal()
        self.min_interval = min_interval
        self.prices = prices
        self.monotonic = monotonic
        self.stats: RunStats | None = None
        self._lock = threading.Lock()
        self._last_time = -float("inf")
        self._last_tenth = -1
        self._shown = False

    def __call__(self, stats: RunStats) -> None:
        """Take the counters after a settled prompt; print when it is time to."""
        with self._lock:
            self.stats = stats
            finished = stats.done >= stats.total
            if self.single_line:
                now = self.monotonic()
                if not finished and now - self._last_time < self.min_interval:
                    return
                self._last_time = now
                logger.info("\x1b[2K", nonl=True)
                logger.info(colorize("bold", _LABEL) + self._line(stats), nonl=True)
                logger.info("\r", nonl=True)
                self._shown = True
                return
            tenth = 10 * stats.done // stats.total if stats.total else 10
            if tenth == self._last_tenth:
                return
            self._last_tenth = tenth
            logger.info(colorize("bold", _LABEL) + self._line(stats))

    def _line(self, stats: RunStats) -> str:
        share = stats.done / stats.total if stats.total else 1.0
        return f"[{share: >4.0%}] {format_progress(stats)}"

    def __enter__(self) -> SphinxProgress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        with self._lock:
            if self._shown:
                logger.info("\x1b[2K", nonl=True)
            if self.stats is not None:
                logger.info(colorize("bold", "llmdocs: ") + format_summary(self.stats, self.prices))


def warn_missing_inputs(generation: Generation) -> None:
    """One warning per prompt that was written without the answers of failed prompts it depends on."""
    plan = generation.plan
    for prompt_id, missing in generation.result.missing_inputs.items():
        page = plan.page(plan.prompt(prompt_id).page_id)
        warn(
            LlmdocsWarning.prompt_failed,
            f"prompt {prompt_id} was written without the answers of failed prompt(s) {', '.join(missing)}",
            location=(page.docname, None),
        )
