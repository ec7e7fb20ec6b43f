"""The no-change build: when nothing the generation reads has changed, skip it entirely.

A build that generated completely (no failed prompt, no cache miss, no unreadable cache entry: each of
those must be looked at again next time) leaves a *stamp* in ``<doctreedir>/llmdocs/last-build.json``: a hash
over the configuration, whether an API key and ``READTHEDOCS`` are set, the extension's own files, and the
size and modification time of every source file under ``llmdocs_packages`` (taken before generation
started), of every stub and page artifact written, and of every cache entry the answers came from. The
next build computes the same stamp first (a few hundred ``stat`` calls); when it matches, extraction,
planning, the scheduler and rendering are skipped: the stubs, artifacts and cache are exactly as that run
left them, so the output would be identical. The run report is written from the stored one (everything a
model answered last time is now a cache hit).

Any doubt means a full generation: a missing or unreadable stamp, a stamp of another layout, a touched
file. The warnings the generating build emitted (a source file that does not parse, neutralised markup)
are stored with the stamp and emitted again, so ``-W`` gives the same verdict on every build.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from sphinxcontrib_llmdocs import __version__
from sphinxcontrib_llmdocs.config import LlmdocsConfig
from sphinxcontrib_llmdocs.files import write_if_changed
from sphinxcontrib_llmdocs.sphinx_ext.config_values import config_from_app
from sphinxcontrib_llmdocs.sphinx_ext.env import state_dir
from sphinxcontrib_llmdocs.sphinx_ext.warnings import logger

__all__ = [
    "REPORT_NAME",
    "STATE_VERSION",
    "UnchangedBuild",
    "captured_warnings",
    "check_unchanged",
    "noop_report",
    "on_build_finished",
    "on_builder_inited",
    "on_builder_inited_dry_run",
    "save_state",
    "unchanged_build",
]

#: File name of the run report in the output directory.
REPORT_NAME = "llmdocs-report.json"

#: Layout version of ``last-build.json``.
STATE_VERSION = 1

_STATE_NAME = "last-build.json"
_SNAPSHOT_KEY = "_llmdocs_source_snapshot"
_UNCHANGED_KEY = "_llmdocs_unchanged"
_CAPTURE_KEY = "_llmdocs_warning_capture"
_PACKAGE_DIR = Path(__file__).resolve().parents[1]
_OWN_SUFFIXES = {".py", ".txt", ".json"}
_SOURCE_SUFFIXES = {".py", ".pyi"}


class UnchangedBuild:
    """What the skipped generation would have produced: the page fingerprints and the stored report."""

    def __init__(self, fingerprints: dict[str, str], report: dict[str, Any]) -> None:
        self.fingerprints = fingerprints
        self.report = report


def unchanged_build(app: Sphinx) -> UnchangedBuild | None:
    """The stored result when this build skips generation, else ``None``."""
    found = getattr(app, _UNCHANGED_KEY, None)
    return found if isinstance(found, UnchangedBuild) else None


def _stat_line(path: Path) -> str:
    try:
        st = path.stat()
    except OSError:
        return f"{path}\0missing\n"
    return f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n"


def _files_under(root: Path, suffixes: set[str]) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.suffix in suffixes and "__pycache__" not in p.parts)


def _source_snapshot(app: Sphinx, config: LlmdocsConfig) -> str:
    """Hash of everything generation reads that is not a file it writes itself."""
    digest = hashlib.sha256()
    settings = {
        "state": STATE_VERSION,
        "extension": __version__,
        "config": repr(config),  # the frozen dataclass; its repr leaves the environment (and key) out
        "api_key_set": config.api_key is not None,
        "readthedocs": bool(config.environ.get("READTHEDOCS")),
        "project": str(app.config.project),
        "source_suffix": sorted(app.config.source_suffix),
        "srcdir": str(app.srcdir),
        # What llms.txt is written from besides the pages (it is left in place when nothing changed).
        "builder": app.builder.name if app.builder is not None else None,
        "html_baseurl": str(getattr(app.config, "html_baseurl", "") or ""),
    }
    digest.update(json.dumps(settings, sort_keys=True).encode("utf-8"))
    # The extension's own code and templates: an edited template must not be skipped over.
    for path in _files_under(_PACKAGE_DIR, _OWN_SUFFIXES):
        digest.update(_stat_line(path).encode("utf-8", "surrogateescape"))
    for root in config.packages:
        for path in _files_under(root, _SOURCE_SUFFIXES):
            digest.update(_stat_line(path).encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _outputs_stamp(files: list[str]) -> str:
    digest = hashlib.sha256()
    for name in files:
        digest.update(_stat_line(Path(name)).encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _read_state(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
        return None
    return data


class _WarningCapture(logging.Handler):
    """Collects the extension's own warnings while it generates, to emit them again on skipped builds."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.warnings: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, "type", None) != "llmdocs":
            return
        location = getattr(record, "location", None)
        if isinstance(location, tuple):
            location = list(location)
        elif location is not None and not isinstance(location, str):
            location = str(location)
        message = record.msg if isinstance(record.msg, str) else str(record.msg)
        self.warnings.append(
            {"subtype": getattr(record, "subtype", None), "message": message, "location": location}
        )


def _replay(warnings: list[dict[str, Any]]) -> None:
    for item in warnings:
        location = item.get("location")
        logger.warning(
            str(item.get("message", "")),
            type="llmdocs",
            subtype=item.get("subtype"),
            location=tuple(location) if isinstance(location, list) else location,
        )


def captured_warnings(app: Sphinx) -> list[dict[str, Any]]:
    """Stop collecting the extension's warnings of this build and return them."""
    capture = getattr(app, _CAPTURE_KEY, None)
    if not isinstance(capture, _WarningCapture):
        return []
    logger.logger.removeHandler(capture)
    return capture.warnings


def check_unchanged(app: Sphinx) -> None:
    """``builder-inited``, before generation: skip it when the stamp of the last clean build matches.

    A skipped generation emits the warnings the generating build emitted (a source file that does not
    parse still does not), so ``-W`` gives the same verdict. Otherwise the warnings of this generation are
    collected for the next build.
    """
    for handler in list(logger.logger.handlers):
        if isinstance(handler, _WarningCapture):  # left by a build that failed while generating
            logger.logger.removeHandler(handler)
    config = config_from_app(app)
    snapshot = _source_snapshot(app, config)
    setattr(app, _SNAPSHOT_KEY, snapshot)
    state = _read_state(state_dir(app) / _STATE_NAME)
    files = state.get("files") if state is not None else None
    if (
        state is not None
        and state.get("sources") == snapshot
        and isinstance(files, list)
        and state.get("outputs") == _outputs_stamp([str(f) for f in files])
        and isinstance(state.get("fingerprints"), dict)
        and isinstance(state.get("report"), dict)
        and isinstance(state.get("warnings"), list)
    ):
        report = noop_report(state["report"])
        setattr(app, _UNCHANGED_KEY, UnchangedBuild(state["fingerprints"], report))
        hits, offline = report["prompts"].get("cache_hits", 0), report["prompts"].get("offline", 0)
        # The shape of schedule.summary.format_summary (not imported: it would load the scheduler).
        logger.info(
            "llmdocs: nothing changed since the last build: "
            f"0 prompts sent, {hits} from cache, {offline} offline; "
            "tokens 0 in / 0 out; cost $0.00; 0 failed, 0 retries; no page written"
        )
        _replay(state["warnings"])
        return
    capture = _WarningCapture()
    logger.logger.addHandler(capture)
    setattr(app, _CAPTURE_KEY, capture)


def noop_report(previous: dict[str, Any]) -> dict[str, Any]:
    """The run report of a build that changed nothing, from the report of the build before it."""
    report: dict[str, Any] = json.loads(json.dumps(previous))
    # Every prompt the model answered last time (sent, retried, or already cached) is a cache hit now;
    # offline answers stay offline. (A generation with failures or misses leaves no stamp.)
    prompts = report.get("prompts", {})
    prompts["cache_hits"] = prompts.get("total", 0) - prompts.get("offline", 0)
    prompts.update(sent=0, misses=0, failed=0, retries=0)
    for row in report.get("by_kind", {}).values():
        row["cache_hits"] = row.get("prompts", 0) - row.get("offline", 0)
        row.update(sent=0, misses=0, failed=0, input_tokens=0, output_tokens=0)
        row.update(cache_write_tokens=0, cache_read_tokens=0, cost_usd=0.0)
    report["tokens"] = {"input": 0, "output": 0, "cache_write": 0, "cache_read": 0}
    report.update(cost_usd=0.0, prompts_rerun={}, pages_regenerated=[], cache_misses=[], failures={})
    report["unchanged"] = True
    return report


def save_state(
    app: Sphinx,
    *,
    clean: bool,
    fingerprints: dict[str, str],
    report: dict[str, Any],
    files: list[Path],
    warnings: list[dict[str, Any]],
) -> None:
    """After a full generation: store the stamp, or remove it when the run was not clean."""
    path = state_dir(app) / _STATE_NAME
    snapshot = getattr(app, _SNAPSHOT_KEY, None)
    if not clean or not isinstance(snapshot, str):
        path.unlink(missing_ok=True)
        return
    names = sorted(str(f) for f in files)
    state = {
        "version": STATE_VERSION,
        "sources": snapshot,
        "files": names,
        "outputs": _outputs_stamp(names),
        "fingerprints": fingerprints,
        "report": report,
        "warnings": warnings,
    }
    write_if_changed(path, json.dumps(state, indent=1, sort_keys=True) + "\n")


def on_builder_inited(app: Sphinx) -> None:
    """Generation (``events.on_builder_inited``), unless nothing changed.

    In a build that changed nothing the generation modules, and what they import (pydantic, anyio, the
    pipeline), are never loaded: that is most of what such a build would otherwise cost.
    """
    if unchanged_build(app) is not None:
        return
    from sphinxcontrib_llmdocs.sphinx_ext.events import on_builder_inited as generate_pages

    generate_pages(app)


def on_build_finished(app: Sphinx, exception: BaseException | None) -> None:
    """The run report of a generating build (``events.on_build_finished``).

    A build that skipped generation gets its report from ``incremental.on_build_finished``.
    """
    if unchanged_build(app) is not None:
        return
    from sphinxcontrib_llmdocs.sphinx_ext.events import on_build_finished as finish

    finish(app, exception)


def on_builder_inited_dry_run(app: Sphinx) -> None:
    """The cost estimate of ``llmdocs_dry_run`` builds (``dry_run.py``, loaded only for them)."""
    if not config_from_app(app).dry_run:
        return
    from sphinxcontrib_llmdocs.sphinx_ext.dry_run import on_builder_inited_dry_run as estimate

    estimate(app)
