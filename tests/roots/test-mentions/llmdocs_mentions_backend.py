"""A backend whose answer for ``garden.tools`` mentions names of every kind (fixed text per prompt id)."""

from __future__ import annotations

import json

from sphinxcontrib_llmdocs.testing import FakeBackend

ANSWERS = {
    "module:garden.tools": {
        "summary": (
            "Tools tend each `Plant` (documented by autodoc), call `water()` (a generated section), "
            "take a `pathlib.Path` (Python's own docs), touch `no_such_thing` (nothing) and live next to "
            "`garden.plants` (a page); `Shovel.dig` digs. The expression `x + 1` is code, not a name."
        ),
        "internal_structure": "One class, `Shovel`.",
    },
}


def make_backend(config: object) -> FakeBackend:
    """The factory ``llmdocs_backend`` names; other prompts get the fake's default answers."""
    return FakeBackend(None, answers={prompt: json.dumps(a) for prompt, a in ANSWERS.items()})
