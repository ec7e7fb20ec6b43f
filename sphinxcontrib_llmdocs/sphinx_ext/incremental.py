"""Incremental builds: re-read exactly the generated pages that changed, and say which prompts re-ran and why.

Two mechanisms work together:

- files: the ``llmdocs-page`` directive calls ``note_dependency`` on the page artifact it rendered, and the
  extension rewrites artifacts and stubs only when their content changes, so Sphinx's own mtime check
  re-reads a page whose text changed and nothing else (and sphinx-autobuild sees no write on a no-op build);
- fingerprints: for changes that no file shows, or that a file's mtime cannot show (a coarse clock, an
  artifact rewritten within the same tick as the read), every page gets a fingerprint over its artifact text
  and the things that made it (models, prompt template version, language, extension version). It is stored on
  the build environment when the page is read; ``env-get-outdated`` returns the pages whose fingerprint
  differs. The ``llmdocs_*`` settings are registered without ``rebuild="env"`` for this reason: a changed
  model re-reads the pages that model wrote, not the whole site.

What lives on the pickled environment goes through :class:`LlmdocsEnvAdapter`, which carries its own layout
version next to the extension's ``env_version``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from sphinxcontrib_llmdocs import __version__
from sphinxcontrib_llmdocs.sphinx_ext.config_values import config_from_app
from sphinxcontrib_llmdocs.sphinx_ext.env import artifact_path, state_dir
from sphinxcontrib_llmdocs.sphinx_ext.noop import REPORT_NAME, captured_warnings, save_state, unchanged_build
from sphinxcontrib_llmdocs.sphinx_ext.warnings import logger

if TYPE_CHECKING:
    from sphinxcontrib_llmdocs.cache.manifest import PromptRecord
    from sphinxcontrib_llmdocs.pipeline import Generation

# The core (pydantic, anyio, the whole pipeline) is imported only when a build generates pages: a build in
# which nothing changed never loads it (see noop.py).

__all__ = [
    "ADAPTER_VERSION",
    "LlmdocsEnvAdapter",
    "RebuildRecord",
    "on_builder_inited",
    "on_env_before_read_docs",
    "on_env_get_outdated",
    "on_env_merge_info",
    "on_env_purge_doc",
    "on_env_updated",
    "page_fingerprint",
    "rebuild_record",
]

#: Layout version of :class:`LlmdocsEnvAdapter`'s data; data of another version is dropped, which makes
#: every generated page outdated once.
ADAPTER_VERSION = 1

_RECORD_KEY = "_llmdocs_rebuild"
_MANIFEST = "prompts.json"


class LlmdocsEnvAdapter:
    """The one typed wrapper around what the extension stores on the build environment.

    The data is a plain dict (``env.llmdocs_data``) so the pickle holds no class of this package:
    ``{"version": ADAPTER_VERSION, "fingerprints": {docname: fingerprint}}``.
    """

    _ATTRIBUTE = "llmdocs_data"

    def __init__(self, env: BuildEnvironment) -> None:
        self.env = env

    def _data(self) -> dict[str, Any]:
        data = getattr(self.env, self._ATTRIBUTE, None)
        if not isinstance(data, dict) or data.get("version") != ADAPTER_VERSION:
            data = {"version": ADAPTER_VERSION, "fingerprints": {}}
            setattr(self.env, self._ATTRIBUTE, data)
        return data

    @property
    def is_valid(self) -> bool:
        """Whether the environment holds data of this layout version (else pages read before are unknown)."""
        data = getattr(self.env, self._ATTRIBUTE, None)
        return isinstance(data, dict) and data.get("version") == ADAPTER_VERSION

    @property
    def fingerprints(self) -> dict[str, str]:
        """Fingerprint of each generated page, as it was when Sphinx last read it."""
        fingerprints: dict[str, str] = self._data()["fingerprints"]
        return fingerprints

    def forget(self, docname: str) -> None:
        """Drop what is stored for ``docname`` (it is being re-read or was removed)."""
        self.fingerprints.pop(docname, None)

    def merge_from(self, other: LlmdocsEnvAdapter, docnames: Iterable[str]) -> None:
        """Take ``other``'s data for ``docnames`` (a parallel reader's environment)."""
        theirs = other.fingerprints
        for docname in docnames:
            if docname in theirs:
                self.fingerprints[docname] = theirs[docname]


@dataclass
class RebuildRecord:
    """What this build knows about its generated pages and prompts, for the events and the run report.

    :param fingerprints: current fingerprint of every generated page, by docname.
    :param records: the identity of every prompt of this build, by prompt id.
    :param rerun: prompts this build answered anew (not from the cache), with the reason, by prompt id.
    :param outdated: generated pages Sphinx re-reads in this build (new ones included).
    :param reading: the same, as a set, until their fingerprints are stored at ``env-updated``.
    :param warnings: the extension's warnings of this generation, replayed when the next one is skipped.
    """

    fingerprints: dict[str, str]
    records: dict[str, PromptRecord]
    rerun: dict[str, str]
    outdated: list[str] = field(default_factory=list)
    reading: set[str] = field(default_factory=set)
    warnings: list[dict[str, Any]] = field(default_factory=list)


def rebuild_record(app: Sphinx) -> RebuildRecord | None:
    """This build's record, if ``builder-inited`` generated pages."""
    record = getattr(app, _RECORD_KEY, None)
    return record if isinstance(record, RebuildRecord) else None


def page_fingerprint(
    markdown: str, *, models: Iterable[str], language: str, writers: Iterable[str], template_version: int
) -> str:
    """The fingerprint of a page: its text and everything that made it, hashed."""
    material = {
        "extension": __version__,
        "adapter": ADAPTER_VERSION,
        "template_version": template_version,
        "language": language,
        "models": sorted(set(models)),
        "writers": sorted(set(writers)),
        "markdown": hashlib.sha256(markdown.encode("utf-8")).hexdigest(),
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode("utf-8")).hexdigest()


def _fingerprints(app: Sphinx, generation: Generation, language: str) -> dict[str, str]:
    from sphinxcontrib_llmdocs.plan import TEMPLATE_VERSION

    found: dict[str, str] = {}
    models = generation.result.models
    for page in generation.plan.pages:
        try:
            markdown = artifact_path(app.doctreedir, page.docname).read_text(encoding="utf-8")
        except OSError:
            markdown = ""
        found[page.docname] = page_fingerprint(
            markdown,
            models=(generation.plan.prompt(p).model for p in page.prompts),
            language=language,
            writers=(models[p] for p in page.prompts if p in models),
            template_version=TEMPLATE_VERSION,
        )
    return found


def _rerun_ids(generation: Generation, records: Mapping[str, PromptRecord]) -> set[str]:
    stats = generation.result.stats
    stored = generation.cache.stored if generation.cache is not None else {}
    by_key = {r.key: pid for pid, r in records.items()}
    rerun = {by_key.get(key, answer.prompt_id) for key, answer in stored.items()}
    rerun.update(stats.placeholders)
    rerun.update(generation.result.failures)
    return rerun


def record_generation(app: Sphinx, generation: Generation) -> RebuildRecord:
    """Fingerprint the pages, explain the prompts that re-ran, and update the prompt manifest."""
    from sphinxcontrib_llmdocs.cache.manifest import (
        explain_reruns,
        read_manifest,
        record_of,
        records_for_run,
        write_manifest,
    )

    config = config_from_app(app)
    records = {pid: record_of(request, config.language) for pid, request in generation.requests.items()}
    if len(records) < len(generation.plan.prompts):
        # Requests the run did not record (an aborted run): rebuild them from the answers.
        from sphinxcontrib_llmdocs.plan import EvidenceBuilder

        evidence = EvidenceBuilder(
            generation.facts,
            generation.plan,
            language=config.language,
            evidence_tokens=config.evidence_tokens,
        )
        rebuilt = records_for_run(generation.plan, generation.result.answers, evidence, config.language)
        records = {**rebuilt, **records}
    manifest = state_dir(app) / _MANIFEST
    previous = read_manifest(manifest)
    deps = {p.id: p.deps for p in generation.plan.prompts}
    rerun = explain_reruns(_rerun_ids(generation, records), records, previous, deps)
    write_manifest(manifest, records.values())
    return RebuildRecord(_fingerprints(app, generation, config.language), records, rerun)


def on_builder_inited(app: Sphinx) -> None:
    """After generation: cache-miss warnings (or the error), fingerprints, and the re-run reasons."""
    unchanged = unchanged_build(app)
    if unchanged is not None:
        setattr(app, _RECORD_KEY, RebuildRecord(dict(unchanged.fingerprints), {}, {}))
        return
    from sphinxcontrib_llmdocs.sphinx_ext.cache_miss import report_cache_misses
    from sphinxcontrib_llmdocs.sphinx_ext.events import generation_of

    generation = generation_of(app)
    if generation is None:
        return
    try:
        report_cache_misses(app, generation)
    finally:
        warnings = captured_warnings(app)
    record = record_generation(app, generation)
    record.warnings = warnings
    setattr(app, _RECORD_KEY, record)
    # A cache-only miss was not answered: it is a stand-in, and says so apart from the prompts asked anew.
    missed = set(generation.result.stats.placeholders)
    by_reason: dict[tuple[bool, str], list[str]] = {}
    for prompt_id, reason in sorted(record.rerun.items()):
        by_reason.setdefault((prompt_id in missed, reason), []).append(prompt_id)
    for (is_miss, reason), ids in sorted(by_reason.items()):
        shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
        what = "not in the cache" if is_miss else "answered anew"
        logger.info(f"llmdocs: {len(ids)} prompt{'s' * (len(ids) != 1)} {what} ({reason}): {shown}")


def on_env_get_outdated(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Generated pages whose fingerprint differs from the one stored when Sphinx last read them."""
    record = rebuild_record(app)
    if record is None:
        return []
    adapter = LlmdocsEnvAdapter(env)
    stored = adapter.fingerprints if adapter.is_valid else {}
    outdated = sorted(
        docname
        for docname, fingerprint in record.fingerprints.items()
        if docname not in added and docname in env.all_docs and stored.get(docname) != fingerprint
    )
    return outdated


def on_env_before_read_docs(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """Note which generated pages this build reads; their fingerprints are stored once they are read."""
    record = rebuild_record(app)
    if record is not None:
        record.reading = {d for d in docnames if d in record.fingerprints}
        record.outdated = sorted(record.reading)
        if record.outdated:
            shown = ", ".join(record.outdated[:5])
            more = f" and {len(record.outdated) - 5} more" if len(record.outdated) > 5 else ""
            logger.info(f"llmdocs: reading {len(record.outdated)} generated pages: {shown}{more}")


def on_env_purge_doc(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    """Forget the fingerprint of a page that is re-read or removed."""
    LlmdocsEnvAdapter(env).forget(docname)


def on_env_merge_info(
    app: Sphinx, env: BuildEnvironment, docnames: Iterable[str], other: BuildEnvironment
) -> None:
    """Take the data of the pages a parallel reader read."""
    LlmdocsEnvAdapter(env).merge_from(LlmdocsEnvAdapter(other), docnames)


def on_env_updated(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Store the fingerprints of the generated pages this build read."""
    record = rebuild_record(app)
    if record is not None:
        adapter = LlmdocsEnvAdapter(env)
        for docname in record.reading:
            if docname in env.all_docs:
                adapter.fingerprints[docname] = record.fingerprints[docname]
    return []


def _complete(generation: Generation) -> bool:
    """Whether the run got every answer (only then may the next build skip generation).

    A failed prompt must be retried, a cache miss looked up again (the committed folder may have been
    refreshed), an unreadable entry has just been replaced.
    """
    stats = generation.result.stats
    return not (stats.cache_warnings or stats.placeholders or generation.result.failures)


def on_build_finished(app: Sphinx, exception: BaseException | None) -> None:
    """The report of a skipped generation; after a full one, the stamp that lets the next build skip it."""
    if exception is not None:
        return
    unchanged = unchanged_build(app)
    if unchanged is not None:
        report = dict(unchanged.report)
        record = rebuild_record(app)
        report["pages_regenerated"] = sorted(record.outdated) if record is not None else []
        path = Path(app.outdir) / REPORT_NAME
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return
    from sphinxcontrib_llmdocs.sphinx_ext.events import generation_of

    generation, record = generation_of(app), rebuild_record(app)
    if generation is None or record is None:
        return
    try:  # the report events.py has just written (priority 500)
        report = json.loads((Path(app.outdir) / REPORT_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    suffix = ".rst" if ".rst" in app.config.source_suffix else ".md"
    files = [artifact_path(app.doctreedir, page.docname) for page in generation.plan.pages]
    files += [Path(app.srcdir) / f"{page.docname}{suffix}" for page in generation.plan.pages]
    if generation.cache is not None:
        for key in sorted({*generation.cache.hit_keys, *generation.cache.stored}):
            files += [p for p in generation.cache.entry_paths(key) if p.exists()]
    save_state(
        app,
        clean=_complete(generation) and not config_from_app(app).dry_run,
        warnings=record.warnings,
        fingerprints=record.fingerprints,
        report=report,
        files=files,
    )
