"""The main job: ``sphinx-build -W -n`` of ``example_project/docs``, in a temporary copy, as a subprocess."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).parents[1] / "example_project"
SECTIONS = ["Summary", "Imports", "Imported By", "Dependency Diagram"]


def test_example_project_builds_cleanly_with_every_module_documented(tmp_path):
    copy = tmp_path / "example_project"
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns("_build", "llmdocs", "__pycache__"))
    out = tmp_path / "html"
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-n", "-b", "html", str(copy / "docs"), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    facts = subprocess.run(
        [sys.executable, "-m", "sphinxcontrib_llmdocs", "facts", str(copy / "src" / "recipebox"), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    modules = json.loads(facts.stdout)["modules"]
    assert len(modules) >= 10
    for module in modules:
        parts = module["name"].split(".")
        page = out / "llmdocs" / Path(*parts) / "index.html" if module["is_package"] else None
        page = page or out / "llmdocs" / Path(*parts[:-1]) / f"{parts[-1]}.html"
        html = page.read_text(encoding="utf-8")
        assert "Summary" in html, page
        assert "\\_" not in html, f"{page}: an escape shows in the text"
        if module["imports"]:
            assert "Imports" in html and 'class="mermaid"' in html, page
    report = json.loads((out / "llmdocs-report.json").read_text())
    assert report["backend"] == "offline"
    assert report["prompts"]["failed"] == 0
