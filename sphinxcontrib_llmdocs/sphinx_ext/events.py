"""Event handlers: generation at ``builder-inited``, the run report at ``build-finished``."""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

from sphinxcontrib_llmdocs.errors import LlmdocsError
from sphinxcontrib_llmdocs.files import write_if_changed
from sphinxcontrib_llmdocs.llm.prices import default_price_table
from sphinxcontrib_llmdocs.pipeline import Generation, generate
from sphinxcontrib_llmdocs.sphinx_ext.cache_miss import mark_not_generated
from sphinxcontrib_llmdocs.sphinx_ext.config_values import config_from_app
from sphinxcontrib_llmdocs.sphinx_ext.crossref import grounding_report
from sphinxcontrib_llmdocs.sphinx_ext.env import artifact_path, state_dir
from sphinxcontrib_llmdocs.sphinx_ext.noop import unchanged_build
from sphinxcontrib_llmdocs.sphinx_ext.progress import SphinxProgress, warn_missing_inputs
from sphinxcontrib_llmdocs.sphinx_ext.report import write_report
from sphinxcontrib_llmdocs.sphinx_ext.stubs import write_stubs
from sphinxcontrib_llmdocs.sphinx_ext.warnings import LlmdocsWarning, logger, warn

__all__ = ["generation_of", "on_build_finished", "on_builder_inited"]

_GENERATION_KEY = "_llmdocs_generation"


def generation_of(app: Sphinx) -> Generation | None:
    """What ``builder-inited`` generated in this process, if it ran."""
    generation = getattr(app, _GENERATION_KEY, None)
    if generation is None and unchanged_build(app) is not None:
        # Generation was skipped because nothing changed (noop.py), yet something needs its result (the
        # cross-references of a page being written again): compute it now; every answer is in the cache.
        config = config_from_app(app)
        try:
            generation = generate(config, project=app.config.project or "Project", state_dir=state_dir(app))
        except LlmdocsError as exc:
            raise ExtensionError(f"sphinxcontrib-llmdocs: {exc}", modname="sphinxcontrib_llmdocs") from exc
        setattr(app, _GENERATION_KEY, generation)
    return generation if isinstance(generation, Generation) else None


def on_builder_inited(app: Sphinx) -> None:
    """Extract, plan, run the prompts and render; then write stubs and page artifacts that changed."""
    config = config_from_app(app)
    try:
        prices = default_price_table().with_overrides(config.prices)
        with SphinxProgress(app, prices=prices) as progress:
            generation = generate(
                config,
                project=app.config.project or "Project",
                state_dir=state_dir(app),
                on_progress=progress,
            )
    except LlmdocsError as exc:
        raise ExtensionError(f"sphinxcontrib-llmdocs: {exc}", modname="sphinxcontrib_llmdocs") from exc
    setattr(app, _GENERATION_KEY, generation)

    for diagnostic in generation.facts.diagnostics:
        warn(
            LlmdocsWarning.source,
            f"{diagnostic.message}; the module is left out" if diagnostic.left_out else diagnostic.message,
            location=f"{diagnostic.path}:{diagnostic.line}",
        )
    for message in generation.result.stats.cache_warnings:
        warn(LlmdocsWarning.cache, message)
    warn_missing_inputs(generation)
    for rendered in generation.pages:
        for problem in rendered.problems:
            subtype = LlmdocsWarning.prompt_failed if " failed: " in problem else LlmdocsWarning.unsafe_output
            warn(subtype, problem, location=(rendered.page.docname, None))
        markdown = mark_not_generated(rendered, generation.result.stats.placeholders)
        write_if_changed(artifact_path(app.doctreedir, rendered.page.docname), markdown)

    suffix = ".rst" if ".rst" in app.config.source_suffix else ".md"
    written, removed = write_stubs(
        Path(app.srcdir), config.output_dir, [r.page for r in generation.pages], suffix
    )
    # The prompt counts are in the scheduler's summary line just above; this line adds the pages.
    logger.info(
        f"llmdocs: {len(generation.pages)} pages ({written} stubs written, {removed} removed); "
        f"backend: {generation.backend.reason}"
    )


def on_build_finished(app: Sphinx, exception: BaseException | None) -> None:
    """Write the run report (JSON) into the output directory."""
    from sphinxcontrib_llmdocs.sphinx_ext.incremental import rebuild_record

    generation = generation_of(app)
    if exception is None and generation is not None:
        write_report(Path(app.outdir), generation, grounding_report(app), rebuild_record(app))
