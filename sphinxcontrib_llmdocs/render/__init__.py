"""Rendering: page markdown from facts and answers; model prose is sanitised on the way in."""

from sphinxcontrib_llmdocs.render.pages import RenderContext, RenderedPage, render_page
from sphinxcontrib_llmdocs.render.sanitize import sanitize_prose

__all__ = ["RenderContext", "RenderedPage", "render_page", "sanitize_prose"]
