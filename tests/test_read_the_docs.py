"""Builds without an API key that serve the committed cache (Read the Docs, pull-request CI)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FAKE, report_of, warnings_of
from sphinx.errors import ExtensionError

from sphinxcontrib_llmdocs.sphinx_ext.cache_miss import NOT_GENERATED_TITLE

PAGES = {
    "llmdocs/index": "llmdocs/index.html",
    "llmdocs/shop/pricing": "llmdocs/shop/pricing.html",
    "llmdocs/shop/cart": "llmdocs/shop/cart.html",
}


def html_of(app, docname: str) -> str:
    return (Path(app.outdir) / f"{docname}.html").read_text(encoding="utf-8")


def miss_warnings(app) -> list[str]:
    return [line for line in warnings_of(app).splitlines() if "[llmdocs.cache_miss]" in line]


def committed_answers(project, build) -> Path:
    """A maintainer's build with a model (the fake), answers committed under ``answers/``."""
    maintainer = project("basic", "maintainer")
    build(maintainer, llmdocs_backend=FAKE, llmdocs_cache_dir="answers")
    return maintainer / "answers"


def fresh_clone(project, answers: Path | None, name: str = "clone") -> Path:
    clone = project("basic", name)
    if answers is not None:
        shutil.copytree(answers, clone / "answers")
    return clone


def test_read_the_docs_build_serves_committed_answers_without_a_key(project, build, monkeypatch):
    answers = committed_answers(project, build)
    clone = fresh_clone(project, answers)
    monkeypatch.setenv("READTHEDOCS", "True")
    app = build(clone, llmdocs_cache_dir="answers")  # llmdocs_backend stays "auto"
    report = report_of(app)
    assert report["backend"] == "cache-only"
    assert report["prompts"]["cache_hits"] == report["prompts"]["total"] == 13
    assert report["prompts"]["misses"] == 0 and report["prompts"]["sent"] == 0
    assert miss_warnings(app) == []
    html = html_of(app, "llmdocs/shop/pricing")
    assert NOT_GENERATED_TITLE not in html
    assert "written by a language model (fake-claude" in html


def test_a_cache_miss_is_a_visible_note_and_a_warning_per_page(project, build):
    clone = fresh_clone(project, None)
    app = build(clone, llmdocs_backend="cache-only", llmdocs_cache_dir="answers")
    report = report_of(app)
    assert report["prompts"]["misses"] == report["prompts"]["total"] == 13
    assert len(report["cache_misses"]) == 13
    warnings = miss_warnings(app)
    assert len(warnings) == 7  # one per generated page
    others = [w for w in warnings_of(app).splitlines() if "WARNING" in w and "[llmdocs.cache_miss]" not in w]
    assert others == []  # the note must not push the title down (MyST would warn about headings)
    pricing = next(w for w in warnings if "pricing" in w)
    assert str(clone / "llmdocs" / "shop" / "pricing.rst") in pricing
    assert "analysis:shop.pricing#1" in pricing and "module:shop.pricing" in pricing
    for docname in PAGES:
        html = html_of(app, docname)
        assert NOT_GENERATED_TITLE in html, docname
        assert html.index("<h1>") < html.index(NOT_GENERATED_TITLE), docname
        assert '<div class="warning admonition">' in html
    # Every build says so again, not only the first.
    assert len(miss_warnings(build(clone, llmdocs_backend="cache-only", llmdocs_cache_dir="answers"))) == 7
    # The stand-in prose is the offline writer's, and it never enters the store as a model answer.
    assert not (clone / "answers").exists() or not list((clone / "answers").rglob("*.json"))
    assert not list((Path(app.doctreedir) / "llmdocs" / "cache").rglob("*.json"))


def test_only_the_pages_whose_answers_are_missing_are_marked(project, build):
    answers = committed_answers(project, build)
    clone = fresh_clone(project, answers)
    pricing = clone / "src" / "shop" / "pricing.py"
    pricing.write_text(pricing.read_text().replace('"""Ten percent off', '"""Ten percent off (edited)'))
    app = build(clone, llmdocs_backend="cache-only", llmdocs_cache_dir="answers")
    missing = report_of(app)["cache_misses"]
    assert "analysis:shop.pricing#1" in missing and len(missing) < 13
    warned = {w.split(".rst")[0].rsplit("/", 1)[-1] for w in miss_warnings(app)}
    # One warning per page that shows a missing answer, and only those pages are marked.
    assert warned == {prompt.split("#")[0].rsplit(".", 1)[-1] for prompt in missing}
    assert NOT_GENERATED_TITLE in html_of(app, "llmdocs/shop/pricing")
    assert "cart" not in warned  # pricing's docstring is no evidence of cart's prompts
    assert NOT_GENERATED_TITLE not in html_of(app, "llmdocs/shop/cart")
    assert NOT_GENERATED_TITLE not in html_of(app, "llmdocs/index")

    # The maintainer refreshes the cache: the note goes, and the page is read again.
    refreshed = build(clone, llmdocs_backend=FAKE, llmdocs_cache_dir="answers")
    # The refresh sends exactly the prompts the cache-only build found missing.
    assert set(report_of(refreshed)["prompts_rerun"]) == set(missing)
    assert NOT_GENERATED_TITLE not in html_of(refreshed, "llmdocs/shop/pricing")
    again = build(clone, llmdocs_backend="cache-only", llmdocs_cache_dir="answers")
    assert miss_warnings(again) == []
    assert report_of(again)["prompts"]["misses"] == 0


def test_fail_on_cache_miss_stops_the_build_naming_the_prompts(project, make_app):
    clone = fresh_clone(project, None)
    with pytest.raises(ExtensionError) as info:
        make_app(
            "html",
            srcdir=clone,
            confoverrides={"llmdocs_backend": "cache-only", "llmdocs_fail_on_cache_miss": True},
        )
    message = str(info.value)
    assert "llmdocs_fail_on_cache_miss" in message
    assert "llmdocs/shop/pricing: analysis:shop.pricing#1, module:shop.pricing" in message


def test_fail_on_cache_miss_must_be_a_boolean(project, make_app):
    from sphinx.errors import ConfigError

    with pytest.raises(ConfigError, match="llmdocs_fail_on_cache_miss"):
        make_app(
            "html", srcdir=fresh_clone(project, None), confoverrides={"llmdocs_fail_on_cache_miss": "yes"}
        )


def test_dash_w_fails_a_ci_build_that_forgot_to_refresh_the_cache(project, tmp_path):
    clone = fresh_clone(project, None)
    command = [sys.executable, "-m", "sphinx", "-W", "-b", "html", "-D", "llmdocs_backend=cache-only"]
    result = subprocess.run(
        [*command, str(clone), str(tmp_path / "html")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "llmdocs.cache_miss" in result.stderr
