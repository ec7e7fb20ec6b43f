"""Evidence packs: the facts and earlier answers a prompt needs, framed as data, within a token budget.

A pack is one JSON object with the sections of :data:`SECTIONS`, each a list of items, most relevant first.
Items are taken section by section, in that order, while they fit ``llmdocs_evidence_tokens``; an item that
does not fit is left out (a source snippet is shortened first) and counted under ``"omitted"``. The cut
depends only on the facts and the answers, so the same inputs give byte-identical requests (and cache keys).

The pack travels inside ``<evidence>`` ... ``</evidence>``; ``</`` inside the data is written ``<\\/`` (the
same string in JSON), so nothing in a docstring can close the frame early. The system prompt says that
instructions inside the evidence are data, not orders.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel

from sphinxcontrib_llmdocs.extract.facts import ModuleFacts, ProjectFacts, SymbolFacts
from sphinxcontrib_llmdocs.llm.protocol import CompletionRequest
from sphinxcontrib_llmdocs.llm.schemas import (
    AnalysisResponse,
    IndexResponse,
    ModuleResponse,
    PackageResponse,
    analysis_kind_of,
)
from sphinxcontrib_llmdocs.plan.model import PagePlan, PromptSpec
from sphinxcontrib_llmdocs.plan.relations import SymbolIndex
from sphinxcontrib_llmdocs.plan.tokens import estimate_tokens

__all__ = [
    "DEFAULT_EVIDENCE_TOKENS",
    "SCHEMAS",
    "SECTIONS",
    "TEMPLATE_VERSION",
    "EvidenceBuilder",
    "build_request",
    "dump_evidence",
    "prompt_schema",
    "source_tokens_guess",
    "summary_of",
    "symbol_entry",
]

#: Part of every cache key: bump when a template or the evidence layout changes meaningfully.
TEMPLATE_VERSION = 2

#: Default of ``llmdocs_evidence_tokens``.
DEFAULT_EVIDENCE_TOKENS = 6000

#: The sections of every pack, in the order they are filled (most relevant first).
SECTIONS = ("target", "local_context", "dependencies", "used_by", "source", "related")

SCHEMAS: dict[str, type[BaseModel]] = {
    "analysis": AnalysisResponse,
    "module": ModuleResponse,
    "package": PackageResponse,
    "index": IndexResponse,
}

_MAX_TOKENS = {"module": 2048, "package": 1536, "index": 2048}
#: Output tokens allowed per analysed symbol (and per chunk on top), and for a symbol with a page.
_ANALYSIS_TOKENS_PER_SYMBOL = 450
_ANALYSIS_TOKENS_BASE = 300
_ANALYSIS_TOKENS_DEDICATED = 2500
#: Characters of docstring kept per symbol; more for a symbol with a page of its own.
_DOC_CHARS = 1200
_DOC_CHARS_DEDICATED = 4000
#: Siblings listed as local context of an analysis chunk.
_MAX_SIBLINGS = 40
#: Typical tokens per line of Python source, to size chunks before reading any file.
_TOKENS_PER_SOURCE_LINE = 9
#: A shortened source snippet keeps at least this many lines, or is left out.
_MIN_SNIPPET_LINES = 8

Item = dict[str, object]
Answers = Mapping[str, Mapping[str, object]]


@cache
def _template(name: str) -> str:
    return (resources.files(__package__) / "templates" / f"{name}.txt").read_text(encoding="utf-8")


def summary_of(answer: Mapping[str, object] | None) -> str | None:
    """The one-paragraph summary inside a module, package or index answer."""
    if not answer:
        return None
    for key in ("summary", "overview"):
        value = answer.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


@cache  # a JSON schema costs about a millisecond to generate; every prompt of a build shows one
def prompt_schema(schema: type[BaseModel]) -> str:
    """The JSON schema of ``schema`` as the prompt shows it: the structure only, compact.

    Titles, descriptions, defaults and ``additionalProperties`` are left out: the task template describes
    every field, and the system prompt says that optional fields may be empty and no other keys are allowed.
    """

    def strip(node: object) -> object:
        if isinstance(node, dict):
            return {
                k: strip(v)
                for k, v in node.items()
                if not (k in ("title", "default", "description") and not isinstance(v, dict))
                and not (k == "additionalProperties" and v is False)
            }
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    return json.dumps(strip(schema.model_json_schema()), sort_keys=True, separators=(",", ":"))


def dump_evidence(evidence: Mapping[str, object]) -> str:
    """The pack as the model sees it: JSON with ``</`` escaped so the data cannot close its frame."""
    return json.dumps(evidence, ensure_ascii=False).replace("</", "<\\/")


def _tokens(item: object) -> int:
    return estimate_tokens(json.dumps(item, ensure_ascii=False)) + 1


def _first_paragraph(text: str | None, limit: int = 300) -> str | None:
    if not text or not text.strip():
        return None
    first = " ".join(text.strip().split("\n\n")[0].split())
    return first if len(first) <= limit else first[:limit] + " [...]"


def _doc(text: str | None, limit: int = _DOC_CHARS) -> str | None:
    if text is None:
        return None
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + " [...]"


def _public_members(symbol: SymbolFacts) -> list[SymbolFacts]:
    return [m for m in symbol.members if m.is_public]


def symbol_entry(symbol: SymbolFacts, module: ModuleFacts, *, detailed: bool = False) -> Item:
    """The evidence entry of a symbol: kind, name, signature, location, docstring, bases, members.

    The plain entry keeps the docstring's first paragraph and the members' signatures: the source snippet
    that follows in the pack holds the rest. A ``detailed`` entry (a symbol with a page of its own) keeps the
    docstring and the members' summaries too.
    """
    entry: Item = {
        "name": symbol.qualname,
        "kind": analysis_kind_of(symbol.kind),
        "defined_as": symbol.kind,
        "signature": symbol.signature,
        "location": f"{module.relpath}:{symbol.line}-{symbol.end_line}",
        "docstring": _doc(symbol.docstring, _DOC_CHARS_DEDICATED)
        if detailed
        else _first_paragraph(symbol.docstring, 400),
    }
    if symbol.bases:
        entry["bases"] = list(symbol.bases)
    if symbol.decorators:
        entry["decorators"] = list(symbol.decorators)
    if symbol.members:
        if detailed:
            entry["members"] = [
                {
                    "name": m.name,
                    "kind": m.kind,
                    "signature": m.signature,
                    "doc": _first_paragraph(m.docstring, 600),
                }
                for m in _public_members(symbol)
            ]
        else:
            entry["members"] = [
                f"{m.name}{m.signature}" if m.kind != "property" else m.name for m in _public_members(symbol)
            ]
    return _compact(entry)


def _compact(item: Item) -> Item:
    """``item`` without empty values (no docstring, no signature): they cost tokens and say nothing."""
    return {k: v for k, v in item.items() if v is not None and v != "" and v != []}


def source_tokens_guess(symbol: SymbolFacts) -> int:
    """What the source snippet of ``symbol`` will roughly cost, from its line span alone (for chunking)."""
    return _TOKENS_PER_SOURCE_LINE * (max(symbol.end_line, symbol.line) - symbol.line + 1)


class EvidenceBuilder:
    """Writes the requests of one plan; keeps what every request needs (symbol index, source lines).

    :param evidence_tokens: the budget of every pack (``llmdocs_evidence_tokens``).
    """

    def __init__(
        self,
        facts: ProjectFacts,
        plan: PagePlan,
        *,
        language: str = "en",
        evidence_tokens: int = DEFAULT_EVIDENCE_TOKENS,
        index: SymbolIndex | None = None,
    ) -> None:
        self.facts = facts
        self.plan = plan
        self.language = language
        self.budget = evidence_tokens
        self.index = index or SymbolIndex(facts)
        self._lines: dict[str, list[str] | None] = {}

    def __call__(self, spec: PromptSpec, answers: Answers) -> CompletionRequest:
        """Same as :meth:`request`, so a builder is a scheduler ``build_request`` callable."""
        return self.request(spec, answers)

    def request(self, spec: PromptSpec, answers: Answers) -> CompletionRequest:
        """Write the request of ``spec`` from the facts and the answers of its dependencies so far.

        Deterministic: the same facts and answers give byte-identical text, hence the same cache key.
        """
        if spec.kind == "analysis":
            sections = self._analysis_sections(spec, answers)
            task = (
                f"Write the analyses of the {len(spec.symbols)} symbol(s) of module `{spec.target}` "
                'under "target".'
            )
        elif spec.kind == "module":
            sections = self._module_sections(spec, answers)
            task = f"Write the page prose for module `{spec.target}`."
        elif spec.kind == "package":
            sections = self._package_sections(spec, answers)
            task = f"Write the summary of package `{spec.target}`."
        else:
            sections = self._index_sections(spec, answers)
            task = f"Write the architecture overview of the project `{spec.target}`."
        evidence = pack_sections(sections, self.budget)
        schema = SCHEMAS[spec.kind]
        system = (
            _template("system").format(language=self.language).rstrip()
            + "\n\n"
            + _template(spec.kind).rstrip()
            + "\n\nThe JSON schema of your answer (every string field except name and kind is prose):\n"
            + prompt_schema(schema)
        )
        user = (
            f"{task}\n<evidence>\n{dump_evidence(evidence)}\n</evidence>\n"
            "Answer with one JSON object that matches the schema, and nothing else."
        )
        return CompletionRequest(
            prompt_id=spec.id,
            kind=spec.kind,
            model=spec.model,
            system=system,
            user=user,
            schema=schema,
            max_tokens=self._max_tokens(spec),
            template_version=TEMPLATE_VERSION,
            evidence=evidence,
        )

    def _max_tokens(self, spec: PromptSpec) -> int:
        if spec.kind != "analysis":
            return _MAX_TOKENS[spec.kind]
        if self.plan.symbol_page_for(spec.symbols[0]) is not None and len(spec.symbols) == 1:
            return _ANALYSIS_TOKENS_DEDICATED
        return min(8192, _ANALYSIS_TOKENS_BASE + _ANALYSIS_TOKENS_PER_SYMBOL * len(spec.symbols))

    # -- sources ---------------------------------------------------------------------------------------

    def source_lines(self, module: ModuleFacts) -> list[str] | None:
        """The lines of ``module``'s file, read once; ``None`` when it cannot be read any more."""
        if module.path not in self._lines:
            try:
                text = Path(module.path).read_text(encoding="utf-8", errors="replace")
            except OSError:
                self._lines[module.path] = None
            else:
                self._lines[module.path] = text.splitlines()
        return self._lines[module.path]

    def _snippet(self, symbol: SymbolFacts, module: ModuleFacts) -> Item | None:
        lines = self.source_lines(module)
        if lines is None or symbol.line < 1:
            return None
        end = max(symbol.end_line, symbol.line)
        start = symbol.line
        # The span starts at ``def``/``class``; the decorators above it belong to the snippet.
        while start > 1 and symbol.decorators and lines[start - 2].lstrip().startswith("@"):
            start -= 1
        code = "\n".join(lines[start - 1 : end])
        return {"symbol": symbol.qualname, "location": f"{module.relpath}:{start}-{end}", "code": code}

    # -- sections per prompt kind -----------------------------------------------------------------------

    def _analysis_sections(self, spec: PromptSpec, answers: Answers) -> list[Section]:
        module = self.facts.module(spec.target)
        by_name = {s.qualname: s for s in module.symbols}
        chunk = [by_name[q] for q in spec.symbols if q in by_name]
        wanted = set(spec.symbols)
        detailed = len(chunk) == 1 and self.plan.symbol_page_for(chunk[0].qualname) is not None

        targets = [symbol_entry(s, module, detailed=detailed) for s in chunk]
        local: list[Item] = [_compact({"module": module.name, "docstring": _doc(module.docstring, 800)})]
        local.extend(
            _compact({"sibling": s.qualname, "kind": s.kind, "signature": s.signature})
            for s in module.public_symbols()[:_MAX_SIBLINGS]
            if s.qualname not in wanted
        )
        overviews = _analysis_overviews(answers)
        dependencies: list[Item] = []
        for qualname in dict.fromkeys(d for s in chunk for d in self.index.dependencies(s, module)):
            if qualname in wanted:
                continue
            dep = self.index.symbols[qualname]
            overview = overviews.get(qualname)
            item: Item = {"name": qualname, "kind": dep.kind, "signature": dep.signature}
            if overview:
                item["overview"] = overview
            else:
                item["docstring"] = _first_paragraph(dep.docstring, 200)
            dependencies.append(_compact(item))
        used_by: list[Item] = []
        for s in chunk:
            users = self.index.users(s.qualname)
            if users:
                used_by.append(
                    {
                        "symbol": s.qualname,
                        "used_in": [
                            u.user if u.user == u.module else f"{u.user} ({u.location})" for u in users
                        ],
                    }
                )
        snippets = [snip for s in chunk if (snip := self._snippet(s, module)) is not None]
        return [
            Section("target", targets, _shrink_symbol),
            Section("local_context", local),
            Section("dependencies", dependencies),
            Section("used_by", used_by),
            Section("source", snippets, _shrink_snippet),
        ]

    def _module_sections(self, spec: PromptSpec, answers: Answers) -> list[Section]:
        module = self.facts.module(spec.target)
        overviews = _analysis_overviews(answers)
        target: Item = {
            "kind": "package" if module.is_package else "module",
            "name": module.name,
            "location": module.relpath,
            "lines": module.line_count,
            "docstring": _doc(module.docstring, 1500),
        }
        local: list[Item] = []
        for s in module.public_symbols():
            overview = overviews.get(s.qualname)
            item: Item = {
                "name": s.qualname,
                "kind": s.kind,
                "signature": s.signature,
                "overview": overview or _first_paragraph(s.docstring),
            }
            if s.kind == "class":
                item["members"] = [m.name for m in _public_members(s)]
            local.append(_compact(item))
        names_from = _imported_names(module)
        dependencies: list[Item] = []
        for dep in module.internal_imports:
            summary = summary_of(answers.get(_summary_prompt_id(self.facts.module(dep))))
            item = {"module": dep, "names": names_from.get(dep, [])}
            if summary:
                item["summary"] = summary
            else:
                item["docstring"] = _first_paragraph(self.facts.module(dep).docstring)
            dependencies.append(_compact(item))
        if module.external_imports:
            dependencies.append({"external": list(module.external_imports)})
        used_by: list[Item] = [
            {"module": m, "names": _imported_names(self.facts.module(m)).get(module.name, [])}
            for m in self.facts.imported_by(module.name)
        ]
        siblings = [m for m in self.facts.modules if m.package == module.package and m.name != module.name]
        related: list[Item] = [
            _compact({"module": m.name, "docstring": _first_paragraph(m.docstring, 160)}) for m in siblings
        ]
        return [
            Section("target", [target], _shrink_docstring),
            Section("local_context", local),
            Section("dependencies", dependencies),
            Section("used_by", used_by),
            Section("related", related),
        ]

    def _package_sections(self, spec: PromptSpec, answers: Answers) -> list[Section]:
        package = self.facts.module(spec.target)
        target: Item = {
            "kind": "package",
            "name": package.name,
            "docstring": _doc(package.docstring, 1500),
        }
        init = summary_of(answers.get(f"module:{package.name}"))
        local: list[Item] = [{"init_summary": init}] if init else []
        contents: list[Item] = []
        for dep in spec.deps:
            if dep == f"module:{package.name}":
                continue
            kind, _, name = dep.partition(":")
            summary = summary_of(answers.get(dep))
            contents.append(
                {
                    "name": name,
                    "kind": kind,
                    "summary": summary or _first_paragraph(self.facts.module(name).docstring),
                }
            )
        prefix = package.name + "."
        outside = sorted(
            {
                m.name
                for m in self.facts.modules
                if not (m.name == package.name or m.name.startswith(prefix))
                and any(i == package.name or i.startswith(prefix) for i in m.internal_imports)
            }
        )
        related: list[Item] = []
        if package.package and self.facts.has_module(package.package):
            related.append({"parent": package.package})
        return [
            Section("target", [target], _shrink_docstring),
            Section("local_context", local),
            Section("dependencies", contents),
            Section("used_by", [{"module": m} for m in outside]),
            Section("related", related),
        ]

    def _index_sections(self, spec: PromptSpec, answers: Answers) -> list[Section]:
        facts = self.facts
        target: Item = {
            "project": spec.target,
            "modules": len(facts.modules),
            "packages": sum(1 for m in facts.modules if m.is_package),
            "lines": sum(m.line_count for m in facts.modules),
        }
        top: list[Item] = []
        for dep in spec.deps:
            kind, _, name = dep.partition(":")
            summary = summary_of(answers.get(dep))
            top.append(
                {
                    "name": name,
                    "kind": kind,
                    "summary": summary or _first_paragraph(facts.module(name).docstring),
                }
            )
        local: list[Item] = [
            {
                "package": m.name,
                "modules": sum(1 for x in facts.modules if x.package == m.name),
                "imports": [d for d in m.internal_imports if not d.startswith(m.name + ".")],
            }
            for m in facts.modules
            if m.is_package
        ]
        return [
            Section("target", [target]),
            Section("dependencies", top),
            Section("local_context", local),
        ]


class Section:
    """A named list of evidence items, most relevant first, and how to shorten one that does not fit."""

    def __init__(
        self,
        name: str,
        items: Sequence[Item],
        shrink: Callable[[Item, int], Item | None] | None = None,
    ) -> None:
        self.name = name
        self.items = list(items)
        self.shrink = shrink


def pack_sections(sections: Sequence[Section], budget: int) -> dict[str, object]:
    """Fill a pack from ``sections`` within ``budget`` tokens; deterministic; counts what was left out.

    The ``target`` section is never left out: an entry that does not fit is shortened, down to its name,
    kind and signature (chunks are sized so that this does not happen in practice).
    """
    pack: dict[str, object] = {}
    omitted: dict[str, int] = {}
    used = estimate_tokens("{}") + 8  # braces and the "omitted" record
    for section in sections:
        kept: list[Item] = []
        section_cost = _tokens(section.name) + 2
        for item in section.items:
            cost = _tokens(item) + (section_cost if not kept else 0)
            if used + cost > budget and section.shrink is not None:
                room = budget - used - (section_cost if not kept else 0)
                smaller = section.shrink(item, room) if room > 0 else None
                if smaller is not None:
                    item = smaller
                    cost = _tokens(item) + (section_cost if not kept else 0)
            if used + cost > budget and section.name == "target":
                item = {k: item[k] for k in ("name", "kind", "signature") if k in item} or item
                kept.append(item)  # the target goes in whatever it costs
                used += _tokens(item) + (section_cost if len(kept) == 1 else 0)
            elif used + cost <= budget:
                kept.append(item)
                used += cost
            else:
                omitted[section.name] = omitted.get(section.name, 0) + 1
        if kept:
            pack[section.name] = kept
    if omitted:
        pack["omitted"] = omitted
    # The per-item sums are an upper bound in practice; make it a guarantee by dropping from the end.
    while estimate_tokens(json.dumps(pack, ensure_ascii=False)) > budget:
        if not _drop_last(pack, omitted):
            break
    return pack


def _drop_last(pack: dict[str, object], omitted: dict[str, int]) -> bool:
    for name in reversed(SECTIONS):
        items = pack.get(name)
        if isinstance(items, list) and items and name != "target":
            items.pop()
            if not items:
                del pack[name]
            omitted[name] = omitted.get(name, 0) + 1
            pack["omitted"] = omitted
            return True
    return False


def _shrink_snippet(item: Item, room: int) -> Item | None:
    lines = str(item["code"]).split("\n")
    keep = len(lines)
    while keep >= _MIN_SNIPPET_LINES:
        keep = keep * 3 // 4
        cut = {**item, "code": "\n".join([*lines[:keep], f"# [... {len(lines) - keep} more lines]"])}
        if _tokens(cut) <= room:
            return cut
    return None


def _shrink_docstring(item: Item, room: int) -> Item | None:
    doc = item.get("docstring")
    cut = {**item, "docstring": _first_paragraph(doc if isinstance(doc, str) else None)}
    return cut if _tokens(cut) <= room else None


def _shrink_symbol(item: Item, room: int) -> Item | None:
    cut = dict(_shrink_docstring(item, 10**9) or item)
    members = cut.get("members")
    if isinstance(members, list):
        cut["members"] = [m["name"] for m in members if isinstance(m, dict)]
    return cut if _tokens(cut) <= room else None


def _analysis_overviews(answers: Answers) -> dict[str, str]:
    found: dict[str, str] = {}
    for prompt_id, answer in answers.items():
        if not prompt_id.startswith("analysis:"):
            continue
        items = answer.get("symbols")
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                overview = item.get("overview")
                if isinstance(overview, str) and overview.strip():
                    found[item["name"]] = overview.strip()
    return found


def _imported_names(module: ModuleFacts) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for imp in module.imports:
        if imp.internal:
            names[imp.internal] = list(dict.fromkeys([*names.get(imp.internal, []), *imp.names]))
    return names


def _summary_prompt_id(module: ModuleFacts) -> str:
    return f"package:{module.name}" if module.is_package else f"module:{module.name}"


def build_request(
    spec: PromptSpec,
    facts: ProjectFacts,
    plan: PagePlan,
    answers: Answers,
    *,
    language: str = "en",
    evidence_tokens: int = DEFAULT_EVIDENCE_TOKENS,
) -> CompletionRequest:
    """Write the request for ``spec``; a one-off :class:`EvidenceBuilder` (use one per run for speed)."""
    builder = EvidenceBuilder(facts, plan, language=language, evidence_tokens=evidence_tokens)
    return builder.request(spec, answers)
