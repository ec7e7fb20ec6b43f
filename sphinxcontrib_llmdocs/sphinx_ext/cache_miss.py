"""Cache misses of the ``cache-only`` backend: a visible note on the page, a warning, or an error.

On Read the Docs and in pull-request builds there is no API key; the ``cache-only`` backend serves the
committed answers. A prompt whose answer is missing gets the offline writer's text as a stand-in. The page
says so at the top, and the build warns (``llmdocs.cache_miss``, so ``-W`` fails a CI build that forgot to
refresh the cache) or, with ``llmdocs_fail_on_cache_miss = True``, stops with an error.
"""

from __future__ import annotations

from collections.abc import Iterable

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

from sphinxcontrib_llmdocs.pipeline import Generation
from sphinxcontrib_llmdocs.render import RenderedPage
from sphinxcontrib_llmdocs.sphinx_ext.config_values import config_from_app
from sphinxcontrib_llmdocs.sphinx_ext.warnings import LlmdocsWarning, warn

__all__ = ["NOT_GENERATED_TITLE", "mark_not_generated", "missing_by_page", "report_cache_misses"]

#: Title of the note on a page whose prose is a stand-in.
NOT_GENERATED_TITLE = "Not generated yet"


def missing_by_page(generation: Generation) -> dict[str, list[str]]:
    """Prompt ids answered by a stand-in, by the docname of the page that shows them."""
    placeholders = set(generation.result.stats.placeholders)
    found: dict[str, list[str]] = {}
    for page in generation.plan.pages:
        missing = [p for p in page.prompts if p in placeholders]
        if missing:
            found[page.docname] = missing
    return found


def mark_not_generated(rendered: RenderedPage, placeholders: Iterable[str]) -> str:
    """``rendered``'s markdown, with a note under its title when some of its prose is a stand-in."""
    stand_ins = set(placeholders)
    missing = [p for p in rendered.page.prompts if p in stand_ins]
    if not missing:
        return rendered.markdown
    lines = rendered.markdown.split("\n")
    # Under the title: the page may open with front matter and a target, which must stay first.
    title = next((i for i, line in enumerate(lines) if line.startswith("# ")), None)
    at = 0 if title is None else title + 1
    count = f"{len(missing)} of its {len(rendered.page.prompts)} prompts have"
    note = [
        "",
        f"```{{admonition}} {NOT_GENERATED_TITLE}",
        ":class: warning",
        "",
        f"This page is not generated yet: {count} no answer in the response cache, and this build "
        "(``cache-only``) does not call the model. The prose below was written by the offline writer from "
        "docstrings; refresh the committed cache to replace it.",
        "```",
    ]
    return "\n".join([*lines[:at], *note, *lines[at:]])


def report_cache_misses(app: Sphinx, generation: Generation) -> None:
    """Warn once per page with missing answers, or stop the build when ``llmdocs_fail_on_cache_miss``.

    :raises ExtensionError: naming every missing prompt, when the setting asks for an error.
    """
    missing = missing_by_page(generation)
    if not missing:
        return
    if config_from_app(app).fail_on_cache_miss:
        listed = "; ".join(f"{doc}: {', '.join(ids)}" for doc, ids in sorted(missing.items()))
        raise ExtensionError(
            f"sphinxcontrib-llmdocs: {sum(len(v) for v in missing.values())} prompts have no answer in the "
            f"cache and llmdocs_fail_on_cache_miss is set ({listed}). Build once with an API key and commit "
            "the llmdocs_cache_dir folder.",
            modname="sphinxcontrib_llmdocs",
        )
    for docname, ids in sorted(missing.items()):
        warn(
            LlmdocsWarning.cache_miss,
            f"no cached answer for {', '.join(ids)}; the page shows offline text marked as not generated yet",
            location=(docname, None),
        )
