"""Mermaid diagrams drawn from the import and class graphs (never by the model), with escaped labels.

Size rules (the README documents them): a diagram needs at least :data:`MIN_DIAGRAM_NODES` nodes and one
edge, otherwise there is nothing to show and none is drawn; above :data:`MAX_DIAGRAM_NODES` nodes a diagram
stops being readable, so :func:`too_large_note` gives a one-line summary to print instead.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "MAX_DIAGRAM_NODES",
    "MIN_DIAGRAM_NODES",
    "ClassBox",
    "class_diagram",
    "flowchart",
    "mermaid_label",
    "too_large_note",
]

#: Fewer nodes than this: no diagram (a single box says nothing the lists do not).
MIN_DIAGRAM_NODES = 2
#: Above this many nodes a diagram stops being readable; the page prints a summary instead.
MAX_DIAGRAM_NODES = 40


def mermaid_label(text: str) -> str:
    """Quote ``text`` as a mermaid node label, so any identifier renders as itself."""
    escaped = (
        text.replace("&", "#amp;")
        .replace('"', "#quot;")
        .replace("<", "#lt;")
        .replace(">", "#gt;")
        .replace("`", "#96;")
        .replace("\n", " ")
    )
    return f'"{escaped}"'


def too_large_note(nodes: int, edges: int, what: str) -> str | None:
    """The sentence printed instead of a diagram of ``nodes`` boxes that would be too large, or ``None``."""
    if nodes <= MAX_DIAGRAM_NODES:
        return None
    return (
        f"The diagram is left out: {nodes} {what} with {edges} connections are more than a diagram shows "
        f"readably (at most {MAX_DIAGRAM_NODES}); the lists on this page name them all."
    )


def _edges(nodes: Sequence[str], edges: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    known = set(nodes)
    return sorted({(a, b) for a, b in edges if a in known and b in known and a != b})


def flowchart(
    nodes: Sequence[str],
    edges: Iterable[tuple[str, str]],
    *,
    highlight: str | None = None,
    direction: str = "LR",
    dashed: Collection[tuple[str, str]] = (),
) -> str | None:
    """A mermaid flowchart over ``nodes``, or ``None`` when there is nothing to draw or too much.

    Node ids are positional (``n0``, ``n1``...), so labels never need to be valid ids. Edges in
    ``dashed`` (type-only imports) are drawn as dotted arrows.
    """
    nodes = list(dict.fromkeys(nodes))
    if len(nodes) < MIN_DIAGRAM_NODES or len(nodes) > MAX_DIAGRAM_NODES:
        return None
    drawn = _edges(nodes, edges)
    if not drawn:
        return None
    ids = {name: f"n{i}" for i, name in enumerate(nodes)}
    lines = [f"graph {direction}"]
    lines.extend(f"    {ids[name]}[{mermaid_label(name)}]" for name in nodes)
    lines.extend(f"    {ids[a]} {'-.->' if (a, b) in dashed else '-->'} {ids[b]}" for a, b in drawn)
    if highlight is not None and highlight in ids:
        lines.append("    classDef focus stroke-width:3px")
        lines.append(f"    class {ids[highlight]} focus")
    return "\n".join(lines)


@dataclass(frozen=True)
class ClassBox:
    """One class of a class diagram: its label and member names (methods end with ``()``)."""

    name: str
    members: tuple[str, ...] = ()


def class_diagram(
    classes: Sequence[ClassBox],
    inherits: Iterable[tuple[str, str]],
    *,
    max_members: int = 12,
) -> str | None:
    """A mermaid class diagram: ``inherits`` holds (subclass, base) pairs of class names.

    ``None`` when there are fewer than :data:`MIN_DIAGRAM_NODES` classes, no inheritance among them and no
    members to show, or more than :data:`MAX_DIAGRAM_NODES` classes.
    """
    boxes: Mapping[str, ClassBox] = {c.name: c for c in classes}
    names = list(boxes)
    drawn = _edges(names, inherits)
    if len(names) > MAX_DIAGRAM_NODES or (len(names) < MIN_DIAGRAM_NODES and not drawn):
        return None
    ids = {name: f"c{i}" for i, name in enumerate(names)}
    lines = ["classDiagram"]
    for name in names:
        lines.append(f"    class {ids[name]}[{mermaid_label(name)}]")
        members = boxes[name].members
        shown = members[:max_members]
        for member in shown:
            # Members are identifiers (plus "()"): nothing mermaid could read as syntax.
            lines.append(f"    {ids[name]} : +{member}")
        if len(members) > len(shown):
            # Written as a method, so mermaid lists it after the methods rather than among attributes.
            lines.append(f"    {ids[name]} : +…({len(members) - len(shown)} more)")
    lines.extend(f"    {ids[base]} <|-- {ids[sub]}" for sub, base in drawn)
    return "\n".join(lines)
