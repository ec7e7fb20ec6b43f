"""Code mentions become cross-references, and the grounding report counts what resolved.

The renderer writes every code mention of model prose as ``{llmdocs-ref}`text <dotted.target>``` (the
target only when the symbol index knew it). Here that role becomes a ``py:obj`` pending reference, so:

1. the Python domain resolves it when autodoc or sphinx-autoapi documents the object in this build;
2. otherwise intersphinx tries it (``pathlib.Path``), when configured;
3. otherwise :func:`on_missing_reference` (connected after intersphinx) points it at the generated page
   section the symbol index names, or leaves it literal, without a nitpicky warning.

:func:`on_doctree_resolved` counts per page what resolved; the counts of pages not rewritten in this build
are kept from earlier builds in ``<doctreedir>/llmdocs/grounding.json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.domains.std import StandardDomain
from sphinx.environment import BuildEnvironment
from sphinx.errors import NoUri
from sphinx.util.docutils import SphinxRole
from sphinx.util.nodes import make_refnode

from sphinxcontrib_llmdocs.render.mentions import MENTION_ROLE, STATIC_REF_ROLE, SymbolIndex
from sphinxcontrib_llmdocs.sphinx_ext.env import state_dir

__all__ = [
    "MentionRole",
    "grounding_report",
    "on_doctree_resolved",
    "on_missing_reference",
    "setup_crossrefs",
]

#: Class of the inline node that wraps each counted mention (also a styling hook in the HTML).
MENTION_CLASS = "llmdocs-mention"
_INDEX_KEY = "_llmdocs_symbol_index"
_COUNTS_KEY = "_llmdocs_grounding"
_STATE_FILE = "grounding.json"


class MentionRole(SphinxRole):
    """``{llmdocs-ref}`text <target>```: a cross-reference to a Python object, kept literal if unknown."""

    def __init__(self, *, counted: bool) -> None:
        super().__init__()
        self.counted = counted

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        text = self.text.strip()
        display, target = text, text
        if text.endswith(">") and " <" in text:
            display, _, rest = text.partition(" <")
            target = rest[:-1]
        target = target.removesuffix("()")
        literal = nodes.literal(display, display, classes=["xref", "py", "py-obj"])
        xref = addnodes.pending_xref(
            "",
            literal,
            refdomain="py",
            reftype="obj",
            reftarget=target,
            refexplicit=True,
            refwarn=False,
            refdoc=self.env.docname,
        )
        xref["llmdocs_mention"] = True
        if not self.counted:
            return [xref], []
        return [nodes.inline("", "", xref, classes=[MENTION_CLASS])], []


def _index(app: Sphinx) -> SymbolIndex | None:
    index = getattr(app, _INDEX_KEY, None)
    if isinstance(index, SymbolIndex):
        return index
    from sphinxcontrib_llmdocs.sphinx_ext.events import generation_of  # events imports this module

    generation = generation_of(app)
    if generation is None:
        return None
    index = SymbolIndex(generation.facts, generation.plan)
    setattr(app, _INDEX_KEY, index)
    return index


def on_missing_reference(
    app: Sphinx, env: BuildEnvironment, node: addnodes.pending_xref, contnode: nodes.TextElement
) -> nodes.Node | None:
    """Point an unresolved mention at its generated section, or leave it literal (and quiet)."""
    if not node.get("llmdocs_mention"):
        return None
    index = _index(app)
    location = index.locate(node["reftarget"]) if index is not None else None
    if location is not None and app.builder is not None:
        std = cast(StandardDomain, env.get_domain("std"))
        docname, label_id = std.anonlabels.get(location.label, (location.docname, ""))
        try:
            return make_refnode(app.builder, node["refdoc"], docname, label_id, contnode)
        except NoUri:  # builders without URIs (text, man) keep the text
            pass
    text = contnode.astext()
    return nodes.literal(text, text, classes=["llmdocs-unresolved"])


def on_doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Count the resolved and unresolved mentions of ``docname``."""
    resolved = 0
    unresolved: list[str] = []
    for mention in doctree.findall(nodes.inline):
        if MENTION_CLASS not in mention["classes"]:
            continue
        if any(True for _ in mention.findall(nodes.reference)):
            resolved += 1
        else:
            unresolved.append(mention.astext())
    counts: dict[str, dict[str, Any]] = getattr(app, _COUNTS_KEY, None) or {}
    setattr(app, _COUNTS_KEY, counts)
    if resolved or unresolved:
        counts[docname] = {
            "resolved": resolved,
            "unresolved": len(unresolved),
            "unresolved_names": sorted(set(unresolved)),
        }
    else:
        counts[docname] = {}


def grounding_report(app: Sphinx) -> dict[str, Any]:
    """Per page and in total: resolved and unresolved mentions, the ratio and the unresolved names.

    Pages written in this build replace their earlier counts; pages no longer in the project are dropped.
    """
    path = grounding_path(app)
    try:
        pages: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(pages, dict):
            pages = {}
    except (OSError, ValueError):
        pages = {}
    pages.update(getattr(app, _COUNTS_KEY, None) or {})
    pages = {d: c for d, c in sorted(pages.items()) if c and d in app.env.found_docs}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(pages, indent=1, sort_keys=True), encoding="utf-8")
    resolved = sum(int(c["resolved"]) for c in pages.values())
    unresolved = sum(int(c["unresolved"]) for c in pages.values())
    total = resolved + unresolved
    names = sorted({n for c in pages.values() for n in c["unresolved_names"]})
    return {
        "resolved": resolved,
        "unresolved": unresolved,
        "ratio": round(resolved / total, 4) if total else None,
        "unresolved_names": names,
        "pages": pages,
    }


def setup_crossrefs(app: Sphinx) -> None:
    """Register the mention roles and the resolution and counting handlers."""
    app.add_role(MENTION_ROLE, MentionRole(counted=True))
    app.add_role(STATIC_REF_ROLE, MentionRole(counted=False))
    # After intersphinx (priority 500): external names get their chance first.
    app.connect("missing-reference", on_missing_reference, priority=900)
    app.connect("doctree-resolved", on_doctree_resolved)


def grounding_path(app: Sphinx) -> Path:
    """Where the per-page counts are kept between builds."""
    return state_dir(app) / _STATE_FILE
