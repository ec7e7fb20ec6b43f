"""Extraction speed on a large real tree: the installed Sphinx and docutils packages (>100k lines).

Three measurements on the same files, in one run:

- the floor: read every file and ``ast.parse`` it (what any static analysis has to pay);
- our extraction: ``extract_project`` without a cache (discovery, parsing, symbols, signatures, scopes,
  cross-module linking of calls/references/bases);
- sphinx-autoapi's parser (``autoapi._parser.Parser().parse_file``, astroid-based), each file once.

The floor and our extraction are each run three times and the median is taken (the first pass also warms
the OS file cache); autoapi's parser runs once, cold, as in a Sphinx build. Peak RSS is read after our
extraction, before autoapi runs. The last line printed is JSON.

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
    start = time.perf_counter()
    result = func(*args)
    return time.perf_counter() - start, result


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
    floor_times, extract_times = [], []
    for _ in range(3):
        floor_times.append(_timed(_floor, files)[0])
        extract_times.append(_timed(extract_project, ROOTS)[0])
    floor = statistics.median(floor_times)
    ours = statistics.median(extract_times)
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    autoapi_time, failures = _timed(_autoapi, files)
    print(f"files: {len(files)}, lines: {lines}, diagnostics: {len(facts.diagnostics)}")
    print(f"ast.parse floor: {floor:.3f} s (runs: {', '.join(f'{t:.3f}' for t in floor_times)})")
    print(f"extract_project: {ours:.3f} s (runs: {', '.join(f'{t:.3f}' for t in extract_times)})")
    print(f"autoapi Parser:  {autoapi_time:.3f} s ({failures} files it could not parse)")
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
