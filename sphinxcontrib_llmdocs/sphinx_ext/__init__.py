"""The thin Sphinx adapter: settings, the ``llmdocs-page`` directive and the event handlers."""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

from sphinxcontrib_llmdocs import __version__
from sphinxcontrib_llmdocs.sphinx_ext import incremental, noop
from sphinxcontrib_llmdocs.sphinx_ext.config_values import register_settings, validate_config
from sphinxcontrib_llmdocs.sphinx_ext.crossref import setup_crossrefs
from sphinxcontrib_llmdocs.sphinx_ext.directive import LlmdocsPageDirective
from sphinxcontrib_llmdocs.sphinx_ext.llms_txt import write_llms_txt
from sphinxcontrib_llmdocs.sphinx_ext.mermaid_assets import copy_mermaid_js, use_local_mermaid

__all__ = ["ENV_VERSION", "setup"]

#: Bump when what the extension stores in the pickled environment changes shape.
ENV_VERSION = 1


def setup(app: Sphinx) -> dict[str, Any]:
    """Register settings, directive and events; pull in MyST-Parser and sphinxcontrib-mermaid."""
    app.setup_extension("myst_parser")
    app.setup_extension("sphinxcontrib.mermaid")
    register_settings(app)
    app.add_directive("llmdocs-page", LlmdocsPageDirective)
    app.connect("config-inited", validate_config)
    # Generation and its report (events.py), loaded only when a build generates (see noop.py).
    app.connect("builder-inited", noop.on_builder_inited)
    app.connect("build-finished", noop.on_build_finished)
    # Before generation (priority 500): skip it when nothing it reads changed since the last clean build.
    app.connect("builder-inited", noop.check_unchanged, priority=400)
    # After generation: cache-miss warnings, page fingerprints, re-run reasons.
    app.connect("builder-inited", incremental.on_builder_inited, priority=600)
    app.connect("build-finished", incremental.on_build_finished, priority=600)
    app.connect("env-get-outdated", incremental.on_env_get_outdated)
    app.connect("env-before-read-docs", incremental.on_env_before_read_docs)
    app.connect("env-purge-doc", incremental.on_env_purge_doc)
    app.connect("env-merge-info", incremental.on_env_merge_info)
    app.connect("env-updated", incremental.on_env_updated)
    app.connect("builder-inited", noop.on_builder_inited_dry_run)  # loads dry_run.py for dry runs only
    setup_crossrefs(app)
    app.connect("config-inited", use_local_mermaid, priority=600)  # after validate_config
    app.connect("build-finished", write_llms_txt)
    app.connect("build-finished", copy_mermaid_js)
    return {
        "version": __version__,
        "env_version": ENV_VERSION,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
