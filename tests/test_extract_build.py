"""Extraction inside real Sphinx builds: warnings name path:line, and a rebuild parses no file."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import warnings_of


def test_wild_code_warnings_name_path_and_line(project, build):
    srcdir = project("extract-wild")
    app = build(srcdir)
    warnings = [w for w in warnings_of(app).splitlines() if "WARNING" in w]
    pkg = srcdir / "src" / "wild"
    expected = {
        f"{pkg / 'climber.py'}:3": "relative import ... goes beyond the top-level package",
        f"{pkg / 'legacy.py'}:3": "not valid UTF-8",
        f"{pkg / 'tools.py'}:1": "shadowed by the package",
    }
    assert len(warnings) == len(expected), warnings
    for location, text in expected.items():
        (line,) = [w for w in warnings if w.startswith(f"{location}: WARNING: ")]
        assert text in line and "[llmdocs.source]" in line
    # Still documented: a warning about a module that is kept does not claim it was left out.
    for name in ("climber", "legacy"):
        (line,) = [w for w in warnings if f"{name}.py" in w]
        assert "left out" not in line
        assert (Path(app.outdir) / "llmdocs" / "wild" / f"{name}.html").is_file()
    assert "left out" in next(w for w in warnings if "tools.py" in w)


def test_rebuild_parses_zero_unchanged_files(project, build, monkeypatch):
    srcdir = project("extract-relations")
    parsed: list[str] = []
    real_parse = ast.parse

    def parse(source, filename="<unknown>", *args, **kwargs):
        if str(filename).startswith(str(srcdir / "src")):
            parsed.append(str(filename))
        return real_parse(source, filename, *args, **kwargs)

    monkeypatch.setattr(ast, "parse", parse)
    app = build(srcdir)
    assert len(parsed) == 7, parsed
    assert not [w for w in warnings_of(app).splitlines() if "WARNING" in w]
    html = (Path(app.outdir) / "llmdocs" / "zoo" / "animals.html").read_text()
    assert "Cat(Animal)" in html  # the resolved class and its base, rendered
    assert (Path(app.doctreedir) / "llmdocs" / "facts" / "parsed.pickle").is_file()

    parsed.clear()
    build(srcdir)
    assert parsed == []
