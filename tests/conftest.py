"""Shared fixtures: test roots copied to a temporary folder and built with ``sphinx.testing``."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sphinx.testing.util import SphinxTestApp

ROOTS = Path(__file__).parent / "roots"
FAKE = "sphinxcontrib_llmdocs.testing:FakeBackend"


@pytest.fixture(scope="session")
def rootdir() -> Path:
    return ROOTS


@pytest.fixture(autouse=True)
def _no_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    # A developer's real key must never turn a test into a paid call.
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("READTHEDOCS", raising=False)


@pytest.fixture
def project(tmp_path: Path) -> Callable[[str], Path]:
    """Copy test root ``tests/roots/test-<name>`` into a temporary folder and return its path."""

    def copy(name: str, dest: str | None = None) -> Path:
        target = tmp_path / (dest or name)
        root = ROOTS / f"test-{name}"
        base = root / "BASE"
        if base.is_file():
            # A root that varies another (a BASE file names it): the base first, this root's files on top.
            shutil.copytree(ROOTS / f"test-{base.read_text().strip()}", target)
        shutil.copytree(root, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("BASE"))
        return target

    return copy


@pytest.fixture
def build(make_app: Callable[..., SphinxTestApp]) -> Callable[..., SphinxTestApp]:
    """Build the HTML of a copied test root, with config overrides; returns the finished app."""

    def run(srcdir: Path, **confoverrides: Any) -> SphinxTestApp:
        app = make_app("html", srcdir=srcdir, confoverrides=confoverrides)
        app.build()
        return app

    return run


def warnings_of(app: SphinxTestApp) -> str:
    """The warnings the build printed, without colour codes."""
    stream = getattr(app, "warning", None) or app._warning
    return re.sub(r"\x1b\[[0-9;]*m", "", stream.getvalue())


def report_of(app: SphinxTestApp) -> dict[str, Any]:
    """The run report the build wrote into the output folder."""
    data: dict[str, Any] = json.loads((Path(app.outdir) / "llmdocs-report.json").read_text())
    return data
