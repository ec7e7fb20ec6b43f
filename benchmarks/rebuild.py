"""No-change rebuild time: sphinxcontrib-llmdocs against plain Sphinx and against sphinx-autoapi.

For each target (``example_project``'s recipebox, and a real third-party package installed in this
environment, mdit_py_plugins by default), in one run:

- ours: the docs built once with the extension (the ``FakeBackend`` stands in for the model, so every
  answer goes through the cache as a real one would), then rebuilt with nothing changed;
- plain: the *same* pages without the extension: every generated page written out as a static MyST file
  (the artifact the extension rendered), built by Sphinx with MyST-Parser and sphinxcontrib-mermaid only;
- autoapi: sphinx-autoapi documenting the same package (it parses the source and re-reads its pages on every
  build).

Each no-change rebuild is a fresh ``python -m sphinx`` process, as a user runs it; the figure is the best of
``--repeat`` runs. Ratios are ours over the baseline, measured in the same run. Last line JSON::

    {"noop_over_plain": R1, "noop_over_autoapi": R2, "prompts_on_noop": 0}

where R1 and R2 are the worst (largest) ratios over the targets. Target: R1 <= 1.2.

Usage: ``python benchmarks/rebuild.py [--repeat 5] [--package mdit_py_plugins]``
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FAKE = "sphinxcontrib_llmdocs.testing:FakeBackend"


def sphinx_build(srcdir: Path, outdir: Path, *options: str) -> float:
    """Run one ``sphinx-build`` in a fresh process; return its wall time in seconds."""
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", "html", *options, str(srcdir), str(outdir)],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"sphinx-build of {srcdir} failed:\n{result.stderr}")
    return elapsed


def noop_time(srcdir: Path, outdir: Path, repeat: int, *options: str) -> float:
    """Build once (untimed), then the best of ``repeat`` no-change rebuilds."""
    sphinx_build(srcdir, outdir, *options)
    return min(sphinx_build(srcdir, outdir, *options) for _ in range(repeat))


def write_ours(docs: Path, package: Path, project: str) -> None:
    docs.mkdir(parents=True)
    (docs / "conf.py").write_text(
        f"project = {project!r}\n"
        "extensions = ['sphinxcontrib_llmdocs']\n"
        f"llmdocs_packages = [{str(package)!r}]\n"
        f"llmdocs_backend = {FAKE!r}\n"
        "exclude_patterns = ['_build']\n"
    )
    (docs / "index.rst").write_text(f"{project}\n{'=' * len(project)}\n\n.. toctree::\n\n   llmdocs/index\n")


def write_plain(ours_docs: Path, ours_doctrees: Path, plain: Path) -> int:
    """The same pages as static MyST files, without the extension; returns how many."""
    plain.mkdir(parents=True)
    conf = (ours_docs / "conf.py").read_text()
    plain_extensions = "extensions = ['myst_parser', 'sphinxcontrib.mermaid']"
    conf = conf.replace("extensions = ['sphinxcontrib_llmdocs']", plain_extensions)
    (plain / "conf.py").write_text(conf)
    shutil.copy(ours_docs / "index.rst", plain / "index.rst")
    pages = ours_doctrees / "llmdocs" / "pages"
    count = 0
    for artifact in pages.rglob("*.myst.txt"):
        docname = artifact.relative_to(pages).as_posix().removesuffix(".myst.txt")
        target = plain / f"{docname}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(artifact.read_text(encoding="utf-8"), encoding="utf-8")
        count += 1
    return count


def write_autoapi(docs: Path, package: Path, project: str) -> None:
    docs.mkdir(parents=True)
    (docs / "conf.py").write_text(
        f"project = {project!r}\n"
        "extensions = ['autoapi.extension']\n"
        f"autoapi_dirs = [{str(package.parent)!r}]\n"
        "exclude_patterns = ['_build']\n"
        "suppress_warnings = ['autoapi']\n"
    )
    (docs / "index.rst").write_text(f"{project}\n{'=' * len(project)}\n")


def bench(name: str, package: Path, work: Path, repeat: int) -> dict[str, float | int | bool]:
    ours = work / name / "ours"
    write_ours(ours, package, name)
    ours_out = ours / "_build" / "html"
    sphinx_build(ours, ours_out)
    plain = work / name / "plain"
    pages = write_plain(ours, ours_out / ".doctrees", plain)
    plain_out = plain / "_build" / "html"
    sphinx_build(plain, plain_out)
    # Interleaved, so that a burst of load on the machine hits both setups alike; best of each.
    ours_times, plain_times = [], []
    for _ in range(repeat):
        ours_times.append(sphinx_build(ours, ours_out))
        plain_times.append(sphinx_build(plain, plain_out))
    t_ours, t_plain = min(ours_times), min(plain_times)
    report = json.loads((ours_out / "llmdocs-report.json").read_text())
    prompts = report["prompts"]["sent"]
    if report["prompts"]["cache_hits"] != report["prompts"]["total"] or report["pages_regenerated"]:
        # Said, not hidden: the figures below then measure a build that did work.
        print(f"{name}: the no-change rebuild was not a no-op: {report['prompts']}", flush=True)

    # autoapi documents the folder that holds the package; give it a folder with only this package.
    only = work / name / "src"
    only.mkdir(parents=True)
    shutil.copytree(package, only / package.name, ignore=shutil.ignore_patterns("__pycache__"))
    autoapi = work / name / "autoapi"
    write_autoapi(autoapi, only / package.name, name)
    # autoapi re-reads everything on every build (tens of seconds on a real package): fewer repeats.
    t_autoapi = noop_time(autoapi, autoapi / "_build" / "html", min(repeat, 2))

    row = {
        "pages": pages,
        "prompts": report["prompts"]["total"],
        "ours_s": round(t_ours, 3),
        "plain_s": round(t_plain, 3),
        "autoapi_s": round(t_autoapi, 3),
        "noop_over_plain": round(t_ours / t_plain, 3),
        "noop_over_autoapi": round(t_ours / t_autoapi, 3),
        "prompts_on_noop": prompts,
        "generation_skipped": bool(report.get("unchanged")),
    }
    print(f"{name}: {json.dumps(row)}", flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed no-change rebuilds per setup")
    parser.add_argument(
        "--package", default="mdit_py_plugins", help="an installed third-party package to document"
    )
    args = parser.parse_args()
    spec = importlib.util.find_spec(args.package)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"{args.package}: not an installed package")
    third_party = Path(next(iter(spec.submodule_search_locations)))
    targets = {"recipebox": ROOT / "example_project" / "src" / "recipebox", args.package: third_party}
    with tempfile.TemporaryDirectory(prefix="llmdocs-rebuild-") as tmp:
        rows = [bench(name, path, Path(tmp), args.repeat) for name, path in targets.items()]
    print(
        f"(best of {args.repeat} no-change rebuilds per setup, each a fresh sphinx-build process; "
        f"median ratio over plain: {statistics.median(r['noop_over_plain'] for r in rows):.3f})"
    )
    print(
        json.dumps(
            {
                "noop_over_plain": max(r["noop_over_plain"] for r in rows),
                "noop_over_autoapi": max(r["noop_over_autoapi"] for r in rows),
                "prompts_on_noop": max(r["prompts_on_noop"] for r in rows),
            }
        )
    )


if __name__ == "__main__":
    main()
