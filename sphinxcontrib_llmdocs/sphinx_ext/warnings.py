"""Warning subtypes of the extension and the one helper that emits them.

Every warning has type ``llmdocs`` and a subtype, so ``suppress_warnings = ["llmdocs.cache_miss"]`` works.
"""

from __future__ import annotations

from enum import Enum

from sphinx.util import logging

__all__ = ["LlmdocsWarning", "logger", "warn"]

logger = logging.getLogger("sphinxcontrib_llmdocs")


class LlmdocsWarning(Enum):
    """The warning subtypes (``llmdocs.<value>``)."""

    source = "source"
    """A source file could not be read, decoded or parsed, or holds an import that cannot be resolved."""
    prompt_failed = "prompt_failed"
    """A prompt failed after its retries; the page renders with what it has."""
    unsafe_output = "unsafe_output"
    """Model output held markup that is not allowed (HTML, directives, headings...) and was neutralised."""
    cache = "cache"
    """A cache entry was unreadable or corrupt and was regenerated."""
    page = "page"
    """A generated page could not be rendered."""
    cache_miss = "cache_miss"
    """The ``cache-only`` backend found no answer for a prompt; the page shows offline text and says so."""


def warn(
    subtype: LlmdocsWarning,
    message: str,
    *,
    location: str | tuple[str, int | None] | None = None,
) -> None:
    """Emit one warning of type ``llmdocs`` with ``subtype`` at ``location``."""
    logger.warning(
        message,
        type="llmdocs",
        subtype=subtype.value,
        location=location,
    )
