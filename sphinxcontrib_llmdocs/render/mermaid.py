"""Mermaid diagrams drawn from the import graph (never by the model), with escaped labels."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = ["MAX_DIAGRAM_NODES", "flowchart", "mermaid_label"]

#: Above this many nodes a diagram stops being readable; the caller summarises instead.
MAX_DIAGRAM_NODES = 40


def mermaid_label(text: str) -> str:
    """Quote ``text`` as a mermaid node label, so any identifier renders as itself."""
    escaped = (
        text.replace("&", "#amp;")
        .replace('"', "#quot;")
        .replace("<", "#lt;")
        .replace(">", "#gt;")
        .replace("`", "#96;")
    )
    return f'"{escaped}"'


def flowchart(
    nodes: Sequence[str],
    edges: Iterable[tuple[str, str]],
    *,
    highlight: str | None = None,
    direction: str = "LR",
) -> str | None:
    """A mermaid flowchart over ``nodes``, or ``None`` when there is nothing to draw or too much.

    Node ids are positional (``n0``, ``n1``...), so labels never need to be valid ids.
    """
    if len(nodes) < 2 or len(nodes) > MAX_DIAGRAM_NODES:
        return None
    ids = {name: f"n{i}" for i, name in enumerate(nodes)}
    lines = [f"graph {direction}"]
    lines.extend(f"    {ids[name]}[{mermaid_label(name)}]" for name in nodes)
    drawn = sorted({(a, b) for a, b in edges if a in ids and b in ids and a != b})
    if not drawn:
        return None
    lines.extend(f"    {ids[a]} --> {ids[b]}" for a, b in drawn)
    if highlight is not None and highlight in ids:
        lines.append("    classDef focus stroke-width:3px")
        lines.append(f"    class {ids[highlight]} focus")
    return "\n".join(lines)
