"""Stub files in the source folder: one per page, written only when their content changes."""

from __future__ import annotations

from pathlib import Path

from sphinxcontrib_llmdocs.files import write_if_changed
from sphinxcontrib_llmdocs.plan.model import Page
from sphinxcontrib_llmdocs.sphinx_ext.env import STUB_MARKER

__all__ = ["remove_stale_stubs", "stub_text", "write_stubs"]


def stub_text(page_id: str, suffix: str) -> str:
    """The stub of page ``page_id``: a marker line and the ``llmdocs-page`` directive."""
    if suffix == ".md":
        return f"% {STUB_MARKER}; do not edit\n\n```{{llmdocs-page}} {page_id}\n```\n"
    return f".. {STUB_MARKER}; do not edit\n\n.. llmdocs-page:: {page_id}\n"


def write_stubs(srcdir: Path, output_dir: str, pages: list[Page], suffix: str) -> tuple[int, int]:
    """Write the stub of every page and delete stale ones; returns (written, removed)."""
    planned: set[Path] = set()
    written = 0
    for page in pages:
        stub = srcdir / f"{page.docname}{suffix}"
        planned.add(stub)
        written += write_if_changed(stub, stub_text(page.id, suffix))
    return written, remove_stale_stubs(srcdir / output_dir, planned)


def remove_stale_stubs(out_root: Path, planned: set[Path]) -> int:
    """Delete stubs under ``out_root`` that no page needs; files without the marker are never touched."""
    if not out_root.is_dir():
        return 0
    removed = 0
    for path in sorted(out_root.rglob("*")):
        if path in planned or path.suffix not in {".rst", ".md"} or not path.is_file():
            continue
        try:
            with path.open(encoding="utf-8") as handle:
                first = handle.readline()
        except (OSError, UnicodeDecodeError):
            continue
        if STUB_MARKER in first:
            path.unlink()
            removed += 1
    return removed
