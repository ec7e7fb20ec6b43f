"""Output contracts: every broken answer is rejected with a reason that says exactly what and where."""

from __future__ import annotations

import json
from pathlib import Path

import anyio
import pytest

from sphinxcontrib_llmdocs.cache import ResponseCache
from sphinxcontrib_llmdocs.config import LlmdocsConfig
from sphinxcontrib_llmdocs.errors import ContractViolationError, ProseContractViolationError
from sphinxcontrib_llmdocs.extract import extract_project
from sphinxcontrib_llmdocs.plan import EvidenceBuilder, plan_project
from sphinxcontrib_llmdocs.plan.contracts import check_answer, prose_violations
from sphinxcontrib_llmdocs.schedule import PageGenerationScheduler
from sphinxcontrib_llmdocs.testing import FakeBackend

SHOP = Path(__file__).parent / "roots" / "test-basic" / "src" / "shop"


@pytest.fixture(scope="module")
def shop():
    facts = extract_project([SHOP])
    plan = plan_project(facts, LlmdocsConfig(packages=(SHOP,)), "shop")
    return facts, plan, EvidenceBuilder(facts, plan)


def analysis_request(shop):
    _facts, plan, builder = shop
    spec = next(p for p in plan.prompts if p.id.startswith("analysis:shop.catalog#"))
    return builder.request(spec, {}), spec


def good_analysis(request) -> dict:
    return {
        "symbols": [
            {
                "name": t["name"],
                "kind": t["kind"],
                "overview": f"What `{t['name']}` is for.",
                "details": "- a list item\n- another, with `code`\n\nA second paragraph.",
            }
            for t in request.evidence["target"]
        ]
    }


def answer_kind(request, index: int) -> str:
    return request.evidence["target"][index + 1]["kind"]


def test_a_valid_answer_is_parsed(shop):
    request, spec = analysis_request(shop)
    parsed = check_answer(request, json.dumps(good_analysis(request)))
    assert [s["name"] for s in parsed["symbols"]] == list(spec.symbols)
    # A fenced answer is tolerated: the fence carries no content.
    fenced = "```json\n" + json.dumps(good_analysis(request)) + "\n```"
    assert check_answer(request, fenced) == parsed


@pytest.mark.parametrize(
    ("prose", "reason"),
    [
        ("Intro.\n## Usage\nMore.", "details: line 2: a heading ('## Usage')"),
        ("```python\nx = 1\n```", "details: line 1: a code fence ('```python')"),
        ("Click <a href='x'>here</a>.", "details: line 1: raw HTML (\"<a href='x'>\")"),
        (".. warning:: careful", "details: line 1: a directive ('.. warning:: careful')"),
        ("See {ref}`target`.", "details: line 1: a role ('{ref}`')"),
        ("| a | b |", "details: line 1: a table row ('| a | b |')"),
        ("> quoted", "details: line 1: a block quote ('> quoted')"),
        ("![x](https://e.org/x.png)", "details: line 1: an image ('![x](https://e.org/x.png)')"),
        ("[x](javascript:alert(1))", "details: line 1: a link that is not http(s)"),
    ],
)
def test_prose_beyond_paragraphs_and_lists_is_named_with_field_and_line(shop, prose, reason):
    request, spec = analysis_request(shop)
    answer = good_analysis(request)
    answer["symbols"][1]["details"] = prose
    with pytest.raises(ProseContractViolationError) as info:
        check_answer(request, json.dumps(answer))
    assert f"{spec.id}: symbols[1].{reason}" in str(info.value)
    assert info.value.answer["symbols"][1]["details"] == prose


def test_code_spans_may_hold_anything(shop):
    assert prose_violations("Call `parse('<b>x</b>')` or ``{ref}`x` ``.") == []


def test_missing_extra_and_mistyped_symbols_are_named(shop):
    request, _spec = analysis_request(shop)
    answer = good_analysis(request)
    dropped = answer["symbols"].pop(0)
    answer["symbols"].append({**dropped, "name": "shop.catalog.Nope"})
    # A kind the evidence does not give (symbol order follows the call graph, so look it up).
    expected = answer_kind(request, 0)
    wrong = "class" if expected == "variable" else "variable"
    answer["symbols"][0]["kind"] = wrong
    with pytest.raises(ContractViolationError) as info:
        check_answer(request, json.dumps(answer))
    message = str(info.value)
    assert f"no entry for {dropped['name']}" in message
    assert "not asked about: shop.catalog.Nope" in message
    assert f"symbols[0].kind: is '{wrong}', the evidence says '{expected}'" in message


def test_not_json_and_schema_mismatch_are_reported_precisely(shop):
    _, plan, builder = shop
    request = builder.request(plan.prompt("module:shop.cart"), {})
    with pytest.raises(
        ContractViolationError, match=r"module:shop.cart: answer is not JSON: .* line 1 column 12"
    ):
        check_answer(request, '{"summary": ')
    with pytest.raises(ContractViolationError, match="internal_structure: Field required"):
        check_answer(request, '{"summary": "S."}')
    with pytest.raises(ContractViolationError, match="summary: is empty"):
        check_answer(request, '{"summary": " ", "internal_structure": "I."}')
    with pytest.raises(ContractViolationError, match="a JSON list, not an object"):
        check_answer(request, "[]")


def test_the_scheduler_retries_broken_answers_with_the_reason_and_keeps_only_schema_valid_ones(
    tmp_path, shop
):
    _facts, plan, builder = shop
    heading = json.dumps({"summary": "# Shop cart\n\nText.", "internal_structure": "Fine."})
    no_schema = json.dumps({"summary": "Only a summary."})
    backend = FakeBackend(answers={"module:shop.cart": heading, "module:shop.catalog": no_schema})
    scheduler = PageGenerationScheduler(plan, backend, ResponseCache(tmp_path), builder, max_attempts=2)
    result = anyio.run(scheduler.run)
    sent = [r.prompt_id for r in backend.requests]
    assert sent.count("module:shop.cart") == 2 and sent.count("module:shop.catalog") == 2
    # Not the schema: the prompt fails with the reason, and nothing is cached for it.
    assert "internal_structure: Field required" in result.failures["module:shop.catalog"]
    cached = [json.loads(p.read_text())["prompt_id"] for p in tmp_path.rglob("*.json")]
    assert "module:shop.catalog" not in cached
    # Schema-valid but with a heading after every retry: kept (the renderer neutralises it) and cached,
    # so the next build does not pay for it again.
    assert "module:shop.cart" not in result.failures
    assert result.answers["module:shop.cart"]["summary"].startswith("# Shop cart")
    assert "module:shop.cart" in cached


def test_docstrings_with_examples_and_directives_keep_the_contract_in_a_fake_model_build(project, build):
    from conftest import FAKE, report_of, warnings_of

    docs = project("basic")
    catalog = docs / "src" / "shop" / "catalog.py"
    catalog.write_text(
        catalog.read_text()
        + '\n\ndef restock(count: int) -> int:\n    """Restock.\n\n    .. note:: Slow.\n\n'
        + '    >>> restock(2)\n    2\n\n    Returns the count, unchanged.\n    """\n    return count\n'
    )
    app = build(docs, llmdocs_backend=FAKE)
    assert warnings_of(app) == ""
    assert report_of(app)["prompts"]["failed"] == 0
    html = (Path(app.outdir) / "llmdocs" / "shop" / "catalog.html").read_text(encoding="utf-8")
    assert "Returns the count, unchanged." in html and "restock(2)" not in html
