"""A backend that answers every prompt of this root with hostile prose (fixed text per prompt id)."""

from __future__ import annotations

import json

from sphinxcontrib_llmdocs.testing import FakeBackend

#: One megabyte of prose, with markup buried deep inside it.
HUGE = ("Filler text. " * 80_000) + "<script>alert('deep')</script>"

ANSWERS = {
    "module:hostile.widgets": {
        "summary": (
            "Widgets <script>alert('summary')</script> are made by `make_widget`. "
            "See [the docs](javascript:alert(1)) or [this](data:text/html;base64,PHNjcmlwdD4=) "
            "or [a safe page](https://example.org/widgets).\n\n"
            "<iframe src=\"https://evil.example\"></iframe>"
        ),
        "internal_structure": (
            "```{eval-rst}\n.. raw:: html\n\n   <script>alert('eval-rst')</script>\n```\n\n"
            ":::{raw} html\n<b>colon raw</b>\n:::\n\n"
            "```{raw} html\n<marquee>fenced raw</marquee>\n```\n\n"
            ".. raw:: html\n\n    <script>alert('rest raw')</script>\n\n"
            "# Injected Heading\n\n"
            "```python\nimport os\nos.system('rm -rf /')\n```\n\n"
            "{raw}`html <img src=x onerror=alert('role')>` ends here."
        ),
    },
    "analysis:hostile.widgets#1": {
        "symbols": [
            {
                "name": "hostile.widgets.Widget",
                "kind": "class",
                "overview": "<style>body { display: none }</style>A `Widget` spins.",
                "details": "## Details\n\n(injected-target)=\n\n| a | b |\n|---|---|\n| 1 | 2 |",
                "side_effects": "![pixel](https://evil.example/track.png)",
                "usage_patterns": "- call `Widget.spin`\n- <a href=\"javascript:alert(2)\">x</a>",
            },
            {
                "name": "hostile.widgets.make_widget",
                "kind": "function",
                "overview": "Makes a `Widget`; <img src=x onerror=alert('img')>.",
                "details": "",
                "side_effects": "",
                "usage_patterns": "",
            },
        ]
    },
    "package:hostile": {
        "summary": (
            "A package. <svg onload=alert('svg')></svg>\n\n"
            "Math $x^2$ and $$y$$, a {{ substitution }}, `code`{#id .cls} and [span]{.cls}.\n\n"
            ":field: value\n\nterm\n: definition\n\n- [ ] task\n\n> [!WARNING]\n> alert"
        )
    },
    "index": {"overview": HUGE},
}


def make_backend(config: object) -> FakeBackend:
    """The factory ``llmdocs_backend`` names."""
    return FakeBackend(
        None, answers={prompt: json.dumps(answer) for prompt, answer in ANSWERS.items()}
    )
