"""Serve mermaid's script from the built site instead of a CDN (``llmdocs_mermaid_js``).

sphinxcontrib-mermaid imports ``mermaid.esm.min.mjs``, which loads its diagram types from ``chunks/``. The
files come from the npm ``mermaid`` package (``make mermaid-js``); they are copied under
``_static/llmdocs-mermaid/`` and ``mermaid_use_local`` points there, so a page draws its diagrams with no
network at all.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config

from sphinxcontrib_llmdocs.config import MERMAID_ENTRY
from sphinxcontrib_llmdocs.sphinx_ext.config_values import config_from_app

__all__ = ["STATIC_FOLDER", "copy_mermaid_js", "use_local_mermaid"]

#: Folder under ``_static`` that receives the script.
STATIC_FOLDER = "llmdocs-mermaid"
_CHUNKS = Path("chunks") / "mermaid.esm.min"


def use_local_mermaid(app: Sphinx, config: Config) -> None:
    """Point sphinxcontrib-mermaid at the local copy (unless the user set ``mermaid_use_local``)."""
    if config_from_app(app).mermaid_js is not None and not config.mermaid_use_local:
        config.mermaid_use_local = f"{STATIC_FOLDER}/{MERMAID_ENTRY}"


def copy_mermaid_js(app: Sphinx, exception: BaseException | None) -> None:
    """Copy the entry module and its chunks (no source maps) into ``_static`` of an HTML build."""
    source = config_from_app(app).mermaid_js
    if exception is not None or source is None or app.builder is None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / STATIC_FOLDER
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source / MERMAID_ENTRY, target / MERMAID_ENTRY)
    if (source / _CHUNKS).is_dir():
        shutil.copytree(
            source / _CHUNKS, target / _CHUNKS, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.map")
        )
