"""Rendering: page markdown from facts and answers; model prose is sanitised on the way in."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sphinxcontrib_llmdocs.render.pages import RenderContext, RenderedPage, render_page
    from sphinxcontrib_llmdocs.render.sanitize import sanitize_prose

__all__ = ["RenderContext", "RenderedPage", "render_page", "sanitize_prose"]

_MODULES = {
    "RenderContext": "pages",
    "RenderedPage": "pages",
    "render_page": "pages",
    "sanitize_prose": "sanitize",
}


def __getattr__(name: str) -> Any:
    # Loaded on first use: the Sphinx adapter imports render.mentions at start-up, and a build in which
    # nothing changed never needs the renderer or the sanitiser (markdown-it) at all (see sphinx_ext/noop.py).
    if name in _MODULES:
        return getattr(importlib.import_module(f"{__name__}.{_MODULES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
