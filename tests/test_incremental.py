"""Incremental builds: nothing changed costs nothing; one edit re-runs and re-reads only what it affects."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import FAKE, report_of, warnings_of

GENERATED = {
    "llmdocs/index",
    "llmdocs/shop/index",
    "llmdocs/shop/cart",
    "llmdocs/shop/catalog",
    "llmdocs/shop/pricing",
    "llmdocs/shop/orders/index",
    "llmdocs/shop/orders/placing",
}


def snapshot(folder: Path) -> dict[Path, tuple[int, bytes]]:
    """Every file under ``folder`` with its modification time and bytes."""
    return {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(folder.rglob("*")) if p.is_file()}


def read_times(app) -> dict[str, int]:
    """When Sphinx last read each document (the environment's record)."""
    return dict(app.env.all_docs)


def reread(before, after) -> set[str]:
    return {d for d, t in after.items() if before.get(d) != t}


def status_of(app) -> str:
    return app.status.getvalue() if hasattr(app, "status") else app._status.getvalue()


def test_no_change_sends_nothing_writes_nothing_and_reads_nothing(project, build):
    srcdir = project("basic")
    first = build(srcdir, llmdocs_backend=FAKE)
    doctrees = Path(first.doctreedir) / "llmdocs"
    src_before = snapshot(srcdir)
    state_before = snapshot(doctrees)
    times = read_times(first)

    second = build(srcdir, llmdocs_backend=FAKE)
    report = report_of(second)
    assert report["prompts"]["sent"] == 0
    assert report["prompts"]["cache_hits"] == report["prompts"]["total"] == 13
    assert report["prompts_rerun"] == {}
    assert report["pages_regenerated"] == []
    assert "0 added, 0 changed, 0 removed" in status_of(second)
    assert "nothing changed since the last build" in status_of(second)
    assert reread(times, read_times(second)) == set()
    # No write at all in the source folder (sphinx-autobuild would rebuild forever otherwise), and none of
    # the cache, page artifacts or manifest under the doctree folder either.
    src_after = {p: v for p, v in snapshot(srcdir).items() if "_build" not in p.parts}
    assert src_after == {p: v for p, v in src_before.items() if "_build" not in p.parts}
    assert snapshot(doctrees) == state_before
    assert "[llmdocs" not in warnings_of(second)


def manifest_keys(app) -> dict[str, str]:
    """The cache key of every prompt of the build, from the prompt manifest it left."""
    data = json.loads((Path(app.doctreedir) / "llmdocs" / "prompts.json").read_text(encoding="utf-8"))
    return {pid: record["key"] for pid, record in data["prompts"].items()}


def add_line_to_function(path: Path, function: str) -> None:
    """Edit a function body so that it grows by one line (the code after it moves down)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith(f"def {function}("))
    body = next(i for i in range(at + 1, len(lines)) if lines[i].strip().startswith("return "))
    indent = lines[body][: len(lines[body]) - len(lines[body].lstrip())]
    expression = lines[body].strip().removeprefix("return ")
    lines[body : body + 1] = [f"{indent}result = {expression}", f"{indent}return result"]
    path.write_text("\n".join(lines), encoding="utf-8")


def test_one_function_edited_reruns_only_the_prompts_whose_evidence_changed(project, build):
    srcdir = project("basic")
    first = build(srcdir, llmdocs_backend=FAKE)
    times = read_times(first)
    pages = Path(first.doctreedir) / "llmdocs" / "pages"
    artifacts = snapshot(pages)
    stubs = snapshot(srcdir / "llmdocs")

    before = manifest_keys(first)
    add_line_to_function(srcdir / "src" / "shop" / "pricing.py", "discounted")
    second = build(srcdir, llmdocs_backend=FAKE)
    report = report_of(second)

    # The prompts re-run are exactly those whose request changed (the prompt manifests of the two builds
    # say which): pricing's symbols moved, so their locations and the call sites that name them differ.
    after = manifest_keys(second)
    changed = {pid for pid, key in after.items() if before.get(pid) != key}
    assert set(report["prompts_rerun"]) == changed
    assert {"analysis:shop.pricing#1", "module:shop.pricing"} <= changed
    assert not changed & {"analysis:shop.catalog#1", "module:shop.catalog", "analysis:shop.orders.placing#1"}
    assert report["prompts_rerun"]["module:shop.pricing"].startswith("evidence changed (after ")
    assert report["prompts"]["sent"] == len(changed) < report["prompts"]["total"]
    assert report["prompts"]["cache_hits"] == report["prompts"]["total"] - len(changed)

    changed_artifacts = {
        str(p.relative_to(pages)).removesuffix(".myst.txt")
        for p, v in snapshot(pages).items()
        if artifacts.get(p) != v
    }
    assert "llmdocs/shop/pricing" in changed_artifacts
    # Sphinx re-read exactly the pages whose text changed, and the report says which.
    assert reread(times, read_times(second)) == changed_artifacts
    assert set(report["pages_regenerated"]) == changed_artifacts
    assert not changed_artifacts & {
        "llmdocs/shop/cart",
        "llmdocs/shop/catalog",
        "llmdocs/shop/orders/placing",
    }
    assert snapshot(srcdir / "llmdocs") == stubs
    html = (Path(second.outdir) / "llmdocs" / "shop" / "pricing.html").read_text(encoding="utf-8")
    assert "pricing.py:12" in html and "pricing.py:11" not in html  # cart_total moved down one line


def test_language_change_rereads_pages_though_no_file_changed(project, build):
    """A change no file shows: the prompts differ (and re-run), the page text happens not to, yet the
    pages are rebuilt from fingerprints, and the user's own pages are not."""
    srcdir = project("basic")
    first = build(srcdir, llmdocs_backend=FAKE)
    times = read_times(first)
    pages = Path(first.doctreedir) / "llmdocs" / "pages"
    artifacts = snapshot(pages)

    second = build(srcdir, llmdocs_backend=FAKE, llmdocs_language="de")
    report = report_of(second)
    assert report["prompts"]["sent"] == 13
    assert set(report["prompts_rerun"].values()) == {"language changed (en -> de)"}
    assert snapshot(pages) == artifacts  # the fake writes the same text in any language
    assert reread(times, read_times(second)) == GENERATED
    assert set(report["pages_regenerated"]) == GENERATED
    assert "index" not in reread(times, read_times(second))

    third = build(srcdir, llmdocs_backend=FAKE, llmdocs_language="de")
    assert reread(read_times(second), read_times(third)) == set()


def test_analysis_model_change_reruns_and_rereads_only_what_that_model_wrote(project, build):
    srcdir = project("basic")
    first = build(srcdir, llmdocs_backend=FAKE)
    times = read_times(first)

    second = build(srcdir, llmdocs_backend=FAKE, llmdocs_analysis_model="claude-opus-4-5")
    report = report_of(second)
    analyses = {p for p in report["prompts_rerun"] if p.startswith("analysis:")}
    assert analyses == set(report["prompts_rerun"]) and len(analyses) == 4
    assert set(report["prompts_rerun"].values()) == {"model changed (claude-haiku-4-5 -> claude-opus-4-5)"}
    assert reread(times, read_times(second)) == {
        "llmdocs/shop/cart",
        "llmdocs/shop/catalog",
        "llmdocs/shop/pricing",
        "llmdocs/shop/orders/placing",
    }
    assert report["by_kind"]["analysis"]["sent"] == 4
    assert report["by_kind"]["analysis"]["cost_usd"] > 0


def test_a_stale_environment_layout_rereads_every_generated_page(project, build):
    srcdir = project("basic")
    first = build(srcdir, llmdocs_backend=FAKE)
    times = read_times(first)
    # Pretend the pickled environment was written by a version with another data layout.
    first.env.llmdocs_data = {"version": 0, "fingerprints": {}}
    import pickle

    with (Path(first.doctreedir) / "environment.pickle").open("wb") as handle:
        pickle.dump(first.env, handle)
    second = build(srcdir, llmdocs_backend=FAKE)
    assert reread(times, read_times(second)) == GENERATED
    assert set(report_of(second)["pages_regenerated"]) == GENERATED


def test_a_build_that_warned_warns_again_on_the_next_build(project, build):
    """Skipping an unchanged generation must not swallow its warnings (``-W`` keeps failing)."""
    srcdir = project("syntax-error")
    first = build(srcdir)
    ours = [w for w in warnings_of(first).splitlines() if "[llmdocs." in w]
    assert len(ours) == 1 and "[llmdocs.source]" in ours[0] and "bad.py:4" in ours[0]
    second = build(srcdir)
    assert "nothing changed since the last build" in status_of(second)
    assert [w for w in warnings_of(second).splitlines() if "[llmdocs." in w] == ours


def test_touching_a_source_file_is_enough_to_look_again(project, build):
    srcdir = project("basic")
    build(srcdir, llmdocs_backend=FAKE)
    build(srcdir, llmdocs_backend=FAKE)
    catalog = srcdir / "src" / "shop" / "catalog.py"
    catalog.write_text(catalog.read_text().replace("Catalog", "Catalogue"))
    third = build(srcdir, llmdocs_backend=FAKE)
    assert "nothing changed since the last build" not in status_of(third)
    assert "analysis:shop.catalog#1" in report_of(third)["prompts_rerun"]
    html = (Path(third.outdir) / "llmdocs" / "shop" / "catalog.html").read_text(encoding="utf-8")
    assert "Catalogue" in html


def test_parallel_reads_keep_the_fingerprints(project, make_app):
    """With ``-j 2`` the pages are read in worker processes; what they need is stored all the same."""
    srcdir = project("basic")

    def build(**overrides):
        overrides = {"llmdocs_backend": FAKE, **overrides}
        app = make_app("html", srcdir=srcdir, parallel=2, confoverrides=overrides)
        app.build()
        return app

    first = build()
    times = read_times(first)
    second = build(llmdocs_language="de")
    assert reread(times, read_times(second)) == GENERATED
    third = build(llmdocs_language="de")
    assert reread(read_times(second), read_times(third)) == set()


def test_pages_written_again_without_generation_keep_their_cross_references(project, build):
    """A theme change rewrites every page without re-reading it; the generation skipped as unchanged is
    computed on demand, so the code mentions still resolve."""
    srcdir = project("mentions")
    first = build(srcdir)
    page = Path(first.outdir) / "llmdocs" / "garden" / "plants.html"
    links = [h for h in parse_links(page) if "#" in h]
    assert links, "the mentions root must resolve some mentions"

    second = build(srcdir, html_title="Another title")
    assert "nothing changed since the last build" in status_of(second)
    assert "Another title" in page.read_text(encoding="utf-8")  # the page was written again
    assert [h for h in parse_links(page) if "#" in h] == links
    assert report_of(second)["grounding"] == report_of(first)["grounding"]


def parse_links(path: Path) -> list[str]:
    import re

    return re.findall(r'<a class="reference internal" href="([^"]+)"', path.read_text(encoding="utf-8"))
