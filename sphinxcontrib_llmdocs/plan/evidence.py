"""Evidence packs: the facts and earlier answers a prompt needs, framed as data, within a budget."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources

from pydantic import BaseModel

from sphinxcontrib_llmdocs.extract.facts import ModuleFacts, ProjectFacts, SymbolFacts
from sphinxcontrib_llmdocs.llm.protocol import CompletionRequest
from sphinxcontrib_llmdocs.llm.schemas import (
    AnalysisResponse,
    IndexResponse,
    ModuleResponse,
    PackageResponse,
)
from sphinxcontrib_llmdocs.plan.model import PagePlan, PromptSpec

__all__ = ["SCHEMAS", "TEMPLATE_VERSION", "build_request", "summary_of"]

#: Part of every cache key: bump when a template or the evidence layout changes meaningfully.
TEMPLATE_VERSION = 1

SCHEMAS: dict[str, type[BaseModel]] = {
    "analysis": AnalysisResponse,
    "module": ModuleResponse,
    "package": PackageResponse,
    "index": IndexResponse,
}

_MAX_TOKENS = {"analysis": 4096, "module": 2048, "package": 1536, "index": 2048}
#: Characters of docstring kept per symbol; keeps packs bounded on heavily documented code.
_DOC_CHARS = 1200


@cache
def _template(name: str) -> str:
    return (resources.files(__package__) / "templates" / f"{name}.txt").read_text(encoding="utf-8")


@cache
def _schema_text(schema: type[BaseModel]) -> str:
    # Generating a JSON schema costs about a millisecond; every prompt of a build asks for one.
    return json.dumps(schema.model_json_schema(), sort_keys=True)


def summary_of(answer: Mapping[str, object] | None) -> str | None:
    """The one-paragraph summary inside a module, package or index answer."""
    if not answer:
        return None
    for key in ("summary", "overview"):
        value = answer.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def build_request(
    spec: PromptSpec,
    facts: ProjectFacts,
    plan: PagePlan,
    answers: Mapping[str, Mapping[str, object]],
    *,
    language: str = "en",
) -> CompletionRequest:
    """Write the request for ``spec`` from the facts and the answers of its dependencies so far.

    Deterministic: the same facts and answers give byte-identical text, hence the same cache key.
    """
    evidence: dict[str, object]
    if spec.kind == "analysis":
        evidence = _analysis_evidence(spec, facts.module(spec.target))
    elif spec.kind == "module":
        evidence = _module_evidence(spec, facts, answers)
    elif spec.kind == "package":
        evidence = _package_evidence(spec, facts, plan, answers)
    else:
        evidence = _index_evidence(spec, facts, answers)
    schema = SCHEMAS[spec.kind]
    task = _template(spec.kind).format(target=spec.target)
    user = (
        f"{task}\n<evidence>\n{json.dumps(evidence, indent=1, ensure_ascii=False, sort_keys=False)}\n"
        f"</evidence>\nAnswer with JSON matching this schema:\n"
        f"{_schema_text(schema)}"
    )
    return CompletionRequest(
        prompt_id=spec.id,
        kind=spec.kind,
        model=spec.model,
        system=_template("system").format(language=language),
        user=user,
        schema=schema,
        max_tokens=_MAX_TOKENS[spec.kind],
        template_version=TEMPLATE_VERSION,
        evidence=evidence,
    )


def _doc(text: str | None) -> str | None:
    if text is None:
        return None
    return text if len(text) <= _DOC_CHARS else text[:_DOC_CHARS] + " [...]"


def _symbol_evidence(symbol: SymbolFacts, relpath: str) -> dict[str, object]:
    entry: dict[str, object] = {
        "name": symbol.qualname,
        "kind": symbol.kind,
        "signature": symbol.signature,
        "location": f"{relpath}:{symbol.line}",
        "docstring": _doc(symbol.docstring),
    }
    if symbol.bases:
        entry["bases"] = list(symbol.bases)
    if symbol.decorators:
        entry["decorators"] = list(symbol.decorators)
    if symbol.members:
        entry["members"] = [
            {
                "name": m.name,
                "kind": m.kind,
                "signature": m.signature,
                "doc": (m.docstring or "").split("\n\n")[0][:200] or None,
            }
            for m in symbol.members
            if m.is_public
        ]
    return entry


def _analysis_evidence(spec: PromptSpec, module: ModuleFacts) -> dict[str, object]:
    wanted = set(spec.symbols)
    return {
        "module": module.name,
        "module_docstring": _doc(module.docstring),
        "symbols": [_symbol_evidence(s, module.relpath) for s in module.symbols if s.qualname in wanted],
    }


def _module_evidence(
    spec: PromptSpec, facts: ProjectFacts, answers: Mapping[str, Mapping[str, object]]
) -> dict[str, object]:
    module = facts.module(spec.target)
    analyses: list[object] = []
    dependencies: list[dict[str, object]] = []
    for dep in spec.deps:
        answer = answers.get(dep)
        if dep.startswith("analysis:"):
            items = answer.get("symbols") if answer else None
            analyses.extend(
                {"name": a.get("name"), "overview": a.get("overview")}
                for a in (items if isinstance(items, list) else [])
                if isinstance(a, dict)
            )
        else:
            dependencies.append({"module": dep.partition(":")[2], "summary": summary_of(answer)})
    return {
        "target": {
            "kind": "package" if module.is_package else "module",
            "name": module.name,
            "location": module.relpath,
            "lines": module.line_count,
            "docstring": _doc(module.docstring),
        },
        "symbols": [
            {
                "name": s.qualname,
                "kind": s.kind,
                "signature": s.signature,
                "doc": (s.docstring or "").split("\n\n")[0][:300] or None,
                "members": [m.name for m in s.members if m.is_public],
            }
            for s in module.public_symbols()
        ],
        "symbol_analyses": analyses,
        "imports": {"internal": list(module.internal_imports), "external": list(module.external_imports)},
        "imported_by": list(facts.imported_by(module.name)),
        "dependencies": dependencies,
    }


def _package_evidence(
    spec: PromptSpec,
    facts: ProjectFacts,
    plan: PagePlan,
    answers: Mapping[str, Mapping[str, object]],
) -> dict[str, object]:
    package = facts.module(spec.target)
    return {
        "target": {"kind": "package", "name": package.name, "docstring": _doc(package.docstring)},
        "init_summary": summary_of(answers.get(f"module:{package.name}")),
        "contents": [
            {
                "name": dep.partition(":")[2],
                "kind": dep.partition(":")[0],
                "summary": summary_of(answers.get(dep)),
            }
            for dep in spec.deps
            if dep != f"module:{package.name}"
        ],
    }


def _index_evidence(
    spec: PromptSpec, facts: ProjectFacts, answers: Mapping[str, Mapping[str, object]]
) -> dict[str, object]:
    return {
        "project": spec.target,
        "modules": len(facts.modules),
        "lines": sum(m.line_count for m in facts.modules),
        "top_level": [
            {
                "name": dep.partition(":")[2],
                "kind": dep.partition(":")[0],
                "summary": summary_of(answers.get(dep)),
            }
            for dep in spec.deps
        ],
    }
