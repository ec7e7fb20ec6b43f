"""The offline writer: page prose from docstrings and facts, with no network. Deterministic."""

from __future__ import annotations

import ast
import json
import re
import textwrap
from collections.abc import Mapping, Sequence

from sphinxcontrib_llmdocs.llm.protocol import Completion, CompletionRequest

__all__ = ["OfflineBackend", "first_paragraph", "write_offline_answer"]


_ROLE = re.compile(r":(?:[\w-]+:)?[\w-]+:`~?([^`<]+?)(?:\s*<[^>]*>)?`")
_DOUBLE_BACKTICKS = re.compile(r"``([^`]+)``")
_FIELD = re.compile(r"^:(\w+)(?:\s+([^:]+?))?:\s*(.*)$")
_FIELD_LABELS = {
    "param": "Parameter", "parameter": "Parameter", "arg": "Parameter", "argument": "Parameter",
    "key": "Parameter", "keyword": "Parameter", "type": "Type of", "raises": "Raises", "raise": "Raises",
    "except": "Raises", "exception": "Raises", "returns": "Returns", "return": "Returns",
    "rtype": "Return type", "yields": "Yields", "yield": "Yields", "var": "Variable", "ivar": "Attribute",
    "cvar": "Class attribute",
}  # fmt: skip


def _plain(text: str) -> str:
    """reST inline markup in a docstring made markdown: ``:class:`Foo``` and ````x```` become `` `Foo` ``."""
    return _DOUBLE_BACKTICKS.sub(r"`\1`", _ROLE.sub(r"`\1`", text))


def _field_list(paragraph: str) -> str | None:
    """A reST field list (``:param x: ...``) as a markdown list, or ``None`` when it is not one."""
    items: list[list[str]] = []
    for line in paragraph.strip().splitlines():
        match = _FIELD.match(line.strip())
        if match:
            name, arg, body = match.groups()
            label = _FIELD_LABELS.get(name, name.capitalize())
            head = f"{label} `{arg.split()[-1]}`" if arg else label
            items.append([f"{head}:", body])
        elif items:
            items[-1].append(line.strip())
        else:
            return None
    return "\n".join("- " + " ".join(p for p in item if p) for item in items) if items else None


def first_paragraph(text: object) -> str:
    """The first paragraph of a docstring, unwrapped; empty for no docstring."""
    if not isinstance(text, str) or not text.strip():
        return ""
    first = text.strip().split("\n\n")[0]
    if _field_list(first) is not None:
        return ""
    return _plain(" ".join(first.split()))


def _rest_of(text: object) -> str:
    """Up to three more plain paragraphs of a docstring: examples, directives, tables and the like are left
    out, so the answer keeps the output contract a model's answer must keep."""
    # Imported here: the plan imports this package, so a module-level import would be circular.
    from sphinxcontrib_llmdocs.plan.contracts import prose_violations

    if not isinstance(text, str):
        return ""
    paragraphs: list[str] = []
    for raw in text.strip().split("\n\n")[1:]:
        if not raw.strip():
            continue
        fields = _field_list(raw)
        paragraphs.append(_plain(fields if fields is not None else " ".join(raw.split())))
    return "\n\n".join([p for p in paragraphs if not prose_violations(p)][:4])


def _names(items: Sequence[str], limit: int = 8) -> str:
    quoted = [f"`{n}`" for n in items[:limit]]
    if len(items) > limit:
        quoted.append(f"{len(items) - limit} more")
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _as_dicts(value: object) -> list[Mapping[str, object]]:
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, dict)]


def _section(evidence: Mapping[str, object], name: str) -> list[Mapping[str, object]]:
    value = evidence.get(name)
    # A single record where a list is expected (hand-written evidence, older packs) counts as one item.
    return [value] if isinstance(value, dict) else _as_dicts(value)


def _symbol_answer(symbol: Mapping[str, object], used_by: list[str]) -> dict[str, str]:
    name = str(symbol.get("name", ""))
    short = name.rpartition(".")[2]
    kind = str(symbol.get("kind", "variable"))
    defined_as = str(symbol.get("defined_as", kind))
    raw_members = symbol.get("members")
    members = [
        m if isinstance(m, dict) else {"name": str(m).split("(")[0]}
        for m in (raw_members if isinstance(raw_members, list) else [])
    ]
    members = [m for m in members if not str(m.get("name", "")).startswith("_")]
    overview = first_paragraph(symbol.get("docstring"))
    if not overview:
        if kind == "class" and members:
            overview = (
                f"`{short}` is a class with the public members {_names([str(m['name']) for m in members])}."
            )
        else:
            overview = f"`{short}` is a {defined_as} without a docstring; see its signature and source."
    answer = {
        "name": name,
        "kind": kind,
        "overview": overview,
        "details": _rest_of(symbol.get("docstring")),
        "usage_patterns": f"Used in {_names(used_by)}." if used_by else "",
    }
    if kind == "class":
        documented = [m for m in members if first_paragraph(m.get("doc"))][:5]
        answer["key_members"] = "\n".join(
            f"- `{short}.{m['name']}`: {first_paragraph(m.get('doc'))}" for m in documented
        )
    return answer


def _docstring_in_source(evidence: Mapping[str, object], name: str) -> str | None:
    """The whole docstring of ``name`` from its source snippet (the target entry keeps only its start)."""
    for snippet in _section(evidence, "source"):
        if snippet.get("symbol") != name or not isinstance(snippet.get("code"), str):
            continue
        try:
            tree = ast.parse(textwrap.dedent(str(snippet["code"])))
        except SyntaxError:  # a shortened snippet
            return None
        node = tree.body[0] if tree.body else None
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            return ast.get_docstring(node)
    return None


def _analysis_answer(evidence: Mapping[str, object]) -> dict[str, object]:
    users: dict[str, list[str]] = {}
    for item in _section(evidence, "used_by"):
        used_in = item.get("used_in")
        names = [str(u).split(" (")[0] for u in used_in] if isinstance(used_in, list) else []
        users.setdefault(str(item.get("symbol")), []).extend(names)
    return {
        "symbols": [
            _symbol_answer(
                {**s, "docstring": _docstring_in_source(evidence, str(s.get("name"))) or s.get("docstring")},
                sorted(set(users.get(str(s.get("name")), []))),
            )
            for s in _section(evidence, "target")
        ]
    }


def _module_answer(evidence: Mapping[str, object]) -> dict[str, str]:
    targets = _section(evidence, "target")
    target = targets[0] if targets else {}
    name = str(target.get("name", ""))
    symbols = _section(evidence, "local_context")
    classes = [str(s["name"]).rpartition(".")[2] for s in symbols if s.get("kind") == "class"]
    functions = [
        str(s["name"]).rpartition(".")[2] for s in symbols if str(s.get("kind")).endswith("function")
    ]
    constants = [str(s["name"]).rpartition(".")[2] for s in symbols if s.get("kind") == "constant"]
    summary = first_paragraph(target.get("docstring"))
    if not summary:
        parts = []
        if classes:
            parts.append(f"the class{'es' if len(classes) > 1 else ''} {_names(classes)}")
        if functions:
            parts.append(f"the function{'s' if len(functions) > 1 else ''} {_names(functions)}")
        owns = " and ".join(parts) if parts else "no public classes or functions"
        summary = f"Module `{name}` has no docstring; it defines {owns}."
    structure: list[str] = []
    counts = []
    if classes:
        counts.append(f"{len(classes)} public class{'es' if len(classes) != 1 else ''} ({_names(classes)})")
    if functions:
        counts.append(
            f"{len(functions)} public function{'s' if len(functions) != 1 else ''} ({_names(functions)})"
        )
    if constants:
        counts.append(f"{len(constants)} constant{'s' if len(constants) != 1 else ''} ({_names(constants)})")
    if counts:
        structure.append(f"`{name}` defines " + "; ".join(counts) + ".")
    internal = [str(d["module"]) for d in _section(evidence, "dependencies") if "module" in d]
    if internal:
        structure.append(f"It builds on {_names(internal)} from this project.")
    used_by = [str(u.get("module")) for u in _section(evidence, "used_by")]
    if used_by:
        structure.append(f"It is imported by {_names(used_by)}.")
    if not structure:
        structure.append(f"`{name}` holds no public classes, functions or internal imports.")
    return {"summary": summary, "internal_structure": " ".join(structure)}


def _package_answer(evidence: Mapping[str, object]) -> dict[str, str]:
    targets = _section(evidence, "target")
    target = targets[0] if targets else {}
    name = str(target.get("name", ""))
    init = next(
        (str(i["init_summary"]) for i in _section(evidence, "local_context") if "init_summary" in i), ""
    )
    summary = first_paragraph(target.get("docstring")) or init
    modules = [str(c.get("name")) for c in _section(evidence, "dependencies")]
    text = summary or f"Package `{name}` has no docstring."
    if modules:
        text += f"\n\nIt contains {_names(modules, limit=12)}."
    return {"summary": text}


def _index_answer(evidence: Mapping[str, object]) -> dict[str, str]:
    targets = _section(evidence, "target")
    target = targets[0] if targets else {}
    lines = [
        f"The project has {target.get('modules', 0)} modules and {target.get('lines', 0)} lines of Python."
    ]
    for item in _section(evidence, "dependencies"):
        name = str(item.get("name"))
        summary = first_paragraph(item.get("summary"))
        # Docstrings often open with the package's own name ("recipebox: a small..."): say it once.
        for prefix in (f"{name}:", f"`{name}`:", f"{name} -", f"{name} —"):
            if summary.startswith(prefix):
                summary = summary[len(prefix) :].strip()
                summary = summary[:1].upper() + summary[1:]
        lines.append(f"- `{name}`: {summary}" if summary else f"- `{name}`")
    return {"overview": "\n".join(lines[:1]) + ("\n\n" + "\n".join(lines[1:]) if lines[1:] else "")}


def write_offline_answer(request: CompletionRequest) -> dict[str, object]:
    """The answer the offline writer gives to ``request``, as a dict matching its schema."""
    evidence = request.evidence
    if request.kind == "analysis":
        return _analysis_answer(evidence)
    if request.kind == "module":
        return dict(_module_answer(evidence))
    if request.kind == "package":
        return dict(_package_answer(evidence))
    return dict(_index_answer(evidence))


class OfflineBackend:
    """Writes prose from docstrings and facts; the default when no API key is set."""

    name = "offline"
    sends_requests = False
    reads_cache = False

    async def complete(self, request: CompletionRequest) -> Completion:
        """Answer from the request's structured evidence, without any network."""
        text = json.dumps(write_offline_answer(request), ensure_ascii=False, sort_keys=True)
        return Completion(text=text, model="offline", from_model=False)

    async def aclose(self) -> None:
        """Nothing to release."""
