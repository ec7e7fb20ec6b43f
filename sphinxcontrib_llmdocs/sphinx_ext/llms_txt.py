"""Write ``llms.txt`` into the HTML output folder at ``build-finished`` (``llmdocs_llms_txt``)."""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx

from sphinxcontrib_llmdocs.sphinx_ext.config_values import config_from_app
from sphinxcontrib_llmdocs.sphinx_ext.noop import unchanged_build

__all__ = ["LLMS_TXT", "write_llms_txt"]

#: File name in the output folder.
LLMS_TXT = "llms.txt"


def write_llms_txt(app: Sphinx, exception: BaseException | None) -> None:
    """List the generated pages with their summaries in ``<outdir>/llms.txt`` (HTML builders only)."""
    if unchanged_build(app) is not None and (Path(app.outdir) / LLMS_TXT).is_file():
        return  # nothing it is written from changed since the last build (noop.py); it stays as it is
    # Imported here: a build that changed nothing does not load the pipeline (noop.py).
    from sphinxcontrib_llmdocs.render.llms_txt import render_llms_txt
    from sphinxcontrib_llmdocs.sphinx_ext.events import generation_of

    generation = generation_of(app)
    builder = app.builder
    if exception is not None or generation is None or builder is None or builder.format != "html":
        return
    if not config_from_app(app).llms_txt:
        return
    base = (app.config.html_baseurl or "").rstrip("/")

    def url_of(docname: str) -> str:
        uri = builder.get_target_uri(docname)
        return f"{base}/{uri}" if base else uri

    text = render_llms_txt(app.config.project or "Project", generation.pages, url_of)
    path = Path(app.outdir) / LLMS_TXT
    path.write_text(text, encoding="utf-8")
