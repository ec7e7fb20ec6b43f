"""Extraction speed on a large real tree: the installed Sphinx and docutils packages (>100k lines).

Three measurements on the same files, in one run:

- the floor: read every file and ``ast.parse`` it (what any static analysis has to pay);
- our extraction: ``extract_project`` without a cache (discovery, parsing, symbols, signatures, scopes,
  cross-module linking of calls/references/bases);
- sphinx-autoapi's parser (``autoapi._parser.Parser().parse_file``, astroid-based), each file once.

Times are CPU seconds of this process (``time.process_time``): the machines this runs on are shared, and
wall-clock time swings with the neighbours' load while CPU time does not; wall-clock figures are printed
too. The floor and our extraction alternate five times and each keeps its best run (the usual estimate of
the true cost under noise; a warm-up pass fills the OS file cache first); autoapi's parser runs once,
cold, as in a Sphinx build. Peak RSS is read after our extraction, before autoapi runs. The last line
printed is JSON.

Run: ``.venv/bin/python benchmarks/extract.py`` (needs the ``test`` extra: sphinx-autoapi).
"""

from __future__ import annotations

import ast
import json
import resource
import statistics
import sys
import time
from importlib.util import find_spec
from pathlib import Path

from sphinxcontrib_llmdocs.extract import extract_project


def _package_folder(name: str) -> Path:
    # Located, not imported: the tree is only data here.
    spec = find_spec(name)
    assert spec is not None and spec.submodule_search_locations, f"{name} is not installed"
    return Path(next(iter(spec.submodule_search_locations)))


ROOTS = [_package_folder("sphinx"), _package_folder("docutils")]


def _floor(files):
    for path in files:
        ast.parse(path.read_bytes(), filename=str(path))


def _timed(func, *args):
    """(CPU seconds, wall seconds, result)."""
    cpu, wall = time.process_time(), time.perf_counter()
    result = func(*args)
    return time.process_time() - cpu, time.perf_counter() - wall, result


def _autoapi(files):
    from astroid.manager import AstroidManager
    from autoapi._parser import Parser

    AstroidManager().clear_cache()
    failures = 0
    for path in files:
        try:
            Parser().parse_file(str(path))
        except Exception:  # count what autoapi cannot parse, keep timing the rest
            failures += 1
    return failures


def main() -> int:
    facts = extract_project(ROOTS)
    files = [Path(m.path) for m in facts.modules]
    lines = sum(m.line_count for m in facts.modules)
    _floor(files)
    floor_runs, extract_runs = [], []
    for _ in range(5):
        floor_runs.append(_timed(_floor, files)[:2])
        extract_runs.append(_timed(extract_project, ROOTS)[:2])
    floor = min(cpu for cpu, _ in floor_runs)
    ours = min(cpu for cpu, _ in extract_runs)
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    autoapi_time, autoapi_wall, failures = _timed(_autoapi, files)
    print(f"files: {len(files)}, lines: {lines}, diagnostics: {len(facts.diagnostics)}")
    for label, runs in (("ast.parse floor", floor_runs), ("extract_project", extract_runs)):
        cpu = ", ".join(f"{c:.3f}" for c, _ in runs)
        wall = ", ".join(f"{w:.3f}" for _, w in runs)
        print(f"{label}: CPU s {cpu}; wall s {wall}")
    wall_ratio = statistics.median(w for _, w in extract_runs) / statistics.median(w for _, w in floor_runs)
    print(f"wall-clock ratio of medians: {wall_ratio:.3f}")
    print(f"autoapi Parser: CPU {autoapi_time:.3f} s, wall {autoapi_wall:.3f} s ({failures} files failed)")
    print(
        json.dumps(
            {
                "files": len(files),
                "lines": lines,
                "extract_over_ast_parse": round(ours / floor, 3),
                "autoapi_over_extract": round(autoapi_time / ours, 2),
                "peak_rss_mb": round(peak_rss_mb, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
