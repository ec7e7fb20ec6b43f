"""Prompts and input tokens of our plan against the predecessor's one-prompt-per-symbol scheme.

Run: ``.venv/bin/python benchmarks/prompt_cost.py``. For ``example_project`` and one real third-party
package (Jinja2, installed with Sphinx), on the same extracted facts:

- **ours**: every prompt of :func:`plan_project`, written by the real :class:`EvidenceBuilder` (default
  settings: ``llmdocs_evidence_tokens`` = 6000), with the offline writer's answers standing in for the
  answers of dependencies; input tokens = system + user text, counted with the local estimate.
- **theirs** (the predecessor tool's scheme, modelled here): three prompts per public function or class
  (overview, details, usage), one per public variable, two per module page (summary, structure), one per
  package and one for the index. A symbol prompt carries the same system rules (without our JSON schema),
  the symbol's evidence entry (signature, docstring, members), its whole source and its module's name and
  docstring; a module prompt the module's facts and its symbol list; a package prompt its contents; the index
  prompt the top level. Same framing and the same token estimate as ours.

Both cover every public top-level symbol (checked). Prints one line per project and, last, the JSON line
``{"prompts_ratio": R1, "input_tokens_ratio": R2}``: ours over theirs, the worse of the two projects (the
small example project, whose many tiny modules make fixed costs weigh most, is usually the worse).
Targets: R1 <= 0.25, R2 <= 0.5.
"""

from __future__ import annotations

import json
import sys
from importlib.util import find_spec
from pathlib import Path

from sphinxcontrib_llmdocs.config import LlmdocsConfig
from sphinxcontrib_llmdocs.extract import ProjectFacts, extract_project
from sphinxcontrib_llmdocs.plan import plan_project
from sphinxcontrib_llmdocs.plan.estimate import estimate_plan
from sphinxcontrib_llmdocs.plan.evidence import _template, dump_evidence, symbol_entry
from sphinxcontrib_llmdocs.plan.tokens import estimate_tokens

ROOT = Path(__file__).resolve().parents[1]


def _third_party() -> Path:
    spec = find_spec("jinja2")
    if spec is None or spec.origin is None:
        sys.exit("jinja2 is not installed (it comes with Sphinx: run `make test` first)")
    return Path(spec.origin).parent


def _prompt_tokens(system: str, task: str, evidence: dict[str, object]) -> int:
    user = f"{task}\n<evidence>\n{dump_evidence(evidence)}\n</evidence>\nAnswer in Markdown."
    return estimate_tokens(system) + estimate_tokens(user) + 8


def theirs(facts: ProjectFacts) -> tuple[int, int, set[str]]:
    """Prompts, input tokens and covered symbols of the predecessor's scheme on ``facts``."""
    system = _template("system").format(language="en")
    prompts = tokens = 0
    covered: set[str] = set()
    for module in facts.modules:
        lines = Path(module.path).read_text(encoding="utf-8", errors="replace").splitlines()
        context = {"module": module.name, "docstring": module.docstring}
        for symbol in module.public_symbols():
            covered.add(symbol.qualname)
            entry = symbol_entry(symbol, module)
            if symbol.kind in ("class", "function", "async function"):
                source = "\n".join(lines[symbol.line - 1 : symbol.end_line])
                evidence = {"target": [entry], "local_context": [context], "source": [{"code": source}]}
                for aspect in ("overview", "details", "usage"):
                    prompts += 1
                    tokens += _prompt_tokens(system, f"Write the {aspect} of `{symbol.qualname}`.", evidence)
            else:
                prompts += 1
                tokens += _prompt_tokens(system, f"Describe `{symbol.qualname}`.", {"target": [entry]})
        listing = [
            {"name": s.qualname, "kind": s.kind, "signature": s.signature} for s in module.public_symbols()
        ]
        evidence = {
            "target": [{"name": module.name, "docstring": module.docstring}],
            "local_context": listing,
            "dependencies": [
                {"imports": list(module.internal_imports), "external": list(module.external_imports)}
            ],
        }
        for aspect in ("summary", "internal structure"):
            prompts += 1
            tokens += _prompt_tokens(system, f"Write the {aspect} of module `{module.name}`.", evidence)
        if module.is_package:
            contents = [{"name": m.name} for m in facts.modules if m.package == module.name]
            prompts += 1
            tokens += _prompt_tokens(
                system,
                f"Write the summary of package `{module.name}`.",
                {"target": [{"name": module.name, "docstring": module.docstring}], "dependencies": contents},
            )
    top = [{"name": m.name} for m in facts.modules if m.package is None or not facts.has_module(m.package)]
    prompts += 1
    tokens += _prompt_tokens(system, "Write the project overview.", {"dependencies": top})
    return prompts, tokens, covered


def ours(facts: ProjectFacts, root: Path, project: str) -> tuple[int, int, set[str]]:
    """Prompts, input tokens and covered symbols of our plan on ``facts``."""
    config = LlmdocsConfig(packages=(root,))
    plan = plan_project(facts, config, project)
    estimate = estimate_plan(plan, facts, config)
    covered = {q for p in plan.prompts if p.kind == "analysis" for q in p.symbols}
    return len(plan.prompts), estimate.total.input_tokens, covered


def main() -> None:
    worst = {"prompts_ratio": 0.0, "input_tokens_ratio": 0.0}
    for project, root in (
        ("recipebox", ROOT / "example_project" / "src" / "recipebox"),
        ("jinja2", _third_party()),
    ):
        facts = extract_project([root])
        public = {s.qualname for m in facts.modules for s in m.public_symbols()}
        our_prompts, our_tokens, our_cover = ours(facts, root, project)
        their_prompts, their_tokens, their_cover = theirs(facts)
        assert our_cover == public == their_cover, (public ^ our_cover, public ^ their_cover)
        lines = sum(m.line_count for m in facts.modules)
        print(
            f"{project}: {len(facts.modules)} modules, {lines} lines, {len(public)} public symbols; "
            f"prompts ours {our_prompts} / theirs {their_prompts} = {our_prompts / their_prompts:.3f}; "
            f"input tokens ours {our_tokens} / theirs {their_tokens} = {our_tokens / their_tokens:.3f}"
        )
        worst["prompts_ratio"] = max(worst["prompts_ratio"], round(our_prompts / their_prompts, 3))
        worst["input_tokens_ratio"] = max(worst["input_tokens_ratio"], round(our_tokens / their_tokens, 3))
    print(json.dumps(worst))


if __name__ == "__main__":
    main()
