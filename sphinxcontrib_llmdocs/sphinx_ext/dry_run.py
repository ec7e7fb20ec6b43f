"""``sphinx-build -D llmdocs_dry_run=1``: the cost estimate of the whole prompt graph, without a model call.

The pages of a dry run come from the offline writer (see :func:`~sphinxcontrib_llmdocs.pipeline.generate`);
this handler adds the estimate: a table in the build log and ``<outdir>/llmdocs-estimate.json``.
"""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

from sphinxcontrib_llmdocs.cache.store import ResponseCache
from sphinxcontrib_llmdocs.errors import LlmdocsError
from sphinxcontrib_llmdocs.extract import extract_project
from sphinxcontrib_llmdocs.llm import choose_backend
from sphinxcontrib_llmdocs.pipeline import run_async
from sphinxcontrib_llmdocs.plan import plan_project
from sphinxcontrib_llmdocs.plan.estimate import Estimate, estimate_and_close
from sphinxcontrib_llmdocs.sphinx_ext.config_values import config_from_app
from sphinxcontrib_llmdocs.sphinx_ext.env import state_dir
from sphinxcontrib_llmdocs.sphinx_ext.warnings import logger

__all__ = ["ESTIMATE_NAME", "on_builder_inited_dry_run"]

#: File name of the estimate in the output directory.
ESTIMATE_NAME = "llmdocs-estimate.json"


def on_builder_inited_dry_run(app: Sphinx) -> None:
    """With ``llmdocs_dry_run`` set: walk the prompt graph, log the estimate and write it as JSON."""
    config = config_from_app(app)
    if not config.dry_run:
        return
    try:
        facts = extract_project(config.packages, config.exclude)
        plan = plan_project(facts, config, app.config.project or "Project")
        # The backend is asked only for its token counter, never to complete a prompt.
        backend = choose_backend(config).backend
        cache = ResponseCache(state_dir(app) / "cache", config.cache_dir)

        estimate = run_async(partial(estimate_and_close, plan, facts, config, cache=cache, backend=backend))
    except LlmdocsError as exc:
        raise ExtensionError(f"sphinxcontrib-llmdocs: {exc}", modname="sphinxcontrib_llmdocs") from exc
    assert isinstance(estimate, Estimate)
    path = Path(app.outdir) / ESTIMATE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(estimate.to_json(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    logger.info("llmdocs dry run: no model was called; a build would send:\n" + estimate.format_text())
    logger.info(f"llmdocs dry run: estimate written to {path}")
