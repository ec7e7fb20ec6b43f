"""Graph helpers: strongly connected components and a stable topological order of them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = ["condensation_order"]


def condensation_order(graph: Mapping[str, Sequence[str]]) -> list[tuple[str, ...]]:
    """Strongly connected components of ``graph``, dependencies first.

    ``graph[a]`` lists what ``a`` depends on. Each component is sorted, and the order is the same on every
    run and machine: ties are broken by name. Iterative Tarjan, so deep graphs do not hit the recursion
    limit.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[tuple[str, ...]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, child_i = work.pop()
            if child_i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            children = sorted(c for c in graph.get(node, ()) if c in graph)
            if child_i < len(children):
                work.append((node, child_i + 1))
                child = children[child_i]
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(tuple(sorted(component)))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    # Tarjan emits components in reverse topological order of the "depends on" edges, i.e. dependencies
    # first already; sorting ties by name keeps it stable.
    return components
