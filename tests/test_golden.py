"""Golden files: the rendered markdown and the doctree (pseudo-XML) of every generated page of test-mentions.

A change in output is a visible diff in ``tests/golden/mentions/``. When the change is intended (new page
anatomy, other evidence or offline text), regenerate and review the diff::

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py
    git diff tests/golden
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden" / "mentions"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def _outputs(srcdir: Path, app) -> dict[str, str]:
    outputs: dict[str, str] = {}
    pages = Path(app.doctreedir) / "llmdocs" / "pages"
    for path in sorted(pages.rglob("*.myst.txt")):
        name = path.relative_to(pages).as_posix().removesuffix(".myst.txt") + ".md"
        outputs[name] = path.read_text(encoding="utf-8")
    for docname in sorted(d for d in app.env.found_docs if d.startswith("llmdocs/")):
        text = app.env.get_doctree(docname).pformat()
        outputs[f"{docname}.pseudoxml"] = text.replace(str(srcdir), "<srcdir>")
    return outputs


def test_rendered_markdown_and_doctrees_match_the_golden_files(project, build):
    srcdir = project("mentions")
    app = build(srcdir)
    actual = _outputs(srcdir, app)
    assert len(actual) == 8  # four pages, markdown and doctree each

    if UPDATE:
        for stale in GOLDEN.rglob("*"):
            if stale.is_file() and stale.relative_to(GOLDEN).as_posix() not in actual:
                stale.unlink()
        for name, text in actual.items():
            target = GOLDEN / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")

    expected = {
        p.relative_to(GOLDEN).as_posix(): p.read_text(encoding="utf-8")
        for p in GOLDEN.rglob("*")
        if p.is_file()
    }
    hint = "intended? regenerate with UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py"
    assert sorted(actual) == sorted(expected), hint
    for name in sorted(actual):
        if actual[name] != expected[name]:
            diff = "".join(
                difflib.unified_diff(
                    expected[name].splitlines(keepends=True),
                    actual[name].splitlines(keepends=True),
                    f"golden/{name}",
                    f"built/{name}",
                )
            )
            raise AssertionError(f"{name} changed ({hint}):\n{diff}")
