"""Architecture documentation for Python code bases, written by a language model during ``sphinx-build``.

Add ``"sphinxcontrib_llmdocs"`` to ``extensions`` in ``conf.py`` and point ``llmdocs_packages`` at your
source. Each phase of the pipeline lives in its own sub-package (``extract``, ``plan``, ``schedule``, ``llm``,
``cache``, ``render``); only ``sphinx_ext`` knows about Sphinx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sphinx.application import Sphinx

__all__ = ["__version__", "setup"]

__version__ = "0.1.0"


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension with Sphinx (imports the Sphinx adapter lazily)."""
    from sphinxcontrib_llmdocs.sphinx_ext import setup as _setup

    return _setup(app)
