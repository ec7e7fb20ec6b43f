"""The pure core, without Sphinx: graph order, sanitising, cache entries, scheduling order."""

from __future__ import annotations

import json
import random
from pathlib import Path

import anyio
import pytest

from sphinxcontrib_llmdocs.cache import ResponseCache, cache_key
from sphinxcontrib_llmdocs.config import SETTINGS, LlmdocsConfig
from sphinxcontrib_llmdocs.errors import CacheEntryError, InvalidConfigError
from sphinxcontrib_llmdocs.extract import extract_project
from sphinxcontrib_llmdocs.llm import Completion, CompletionRequest
from sphinxcontrib_llmdocs.llm.schemas import ModuleResponse
from sphinxcontrib_llmdocs.plan import build_request, plan_project
from sphinxcontrib_llmdocs.plan.graph import condensation_order
from sphinxcontrib_llmdocs.render.mermaid import flowchart, mermaid_label
from sphinxcontrib_llmdocs.render.sanitize import sanitize_prose
from sphinxcontrib_llmdocs.schedule import PageGenerationScheduler
from sphinxcontrib_llmdocs.testing import FakeBackend

SHOP = Path(__file__).parent / "roots" / "test-basic" / "src" / "shop"


def test_condensation_puts_dependencies_first_and_groups_cycles():
    graph = {"app": ["cart", "catalog"], "cart": ["pricing"], "pricing": ["cart"], "catalog": ["pricing"]}
    order = condensation_order(graph)
    assert ("cart", "pricing") in order
    position = {name: i for i, comp in enumerate(order) for name in comp}
    assert position["pricing"] < position["catalog"] < position["app"]
    assert condensation_order(dict(reversed(list(graph.items())))) == order


def test_condensation_handles_a_long_chain_without_recursion():
    graph = {f"m{i}": [f"m{i + 1}"] for i in range(5000)}
    graph["m5000"] = []
    order = condensation_order(graph)
    assert order[0] == ("m5000",) and order[-1] == ("m0",)


def test_plan_waits_for_imports_outside_the_cycle_only():
    facts = extract_project([SHOP])
    plan = plan_project(facts, LlmdocsConfig(packages=(SHOP,)), "shop")
    cart = plan.prompt("module:shop.cart")
    pricing = plan.prompt("module:shop.pricing")
    assert "module:shop.pricing" not in cart.deps  # same cycle: no waiting inside it
    assert "module:shop.cart" not in pricing.deps
    assert "module:shop.pricing" in plan.prompt("module:shop.catalog").deps
    assert set(plan.prompt("index").deps) == {"package:shop"}
    assert plan.page("module:shop.catalog").docname == "llmdocs/shop/catalog"
    assert plan.page("package:shop.orders").docname == "llmdocs/shop/orders/index"


ALLOWED_TOKENS = {
    "paragraph_open", "paragraph_close", "inline", "text", "softbreak", "hardbreak", "code_inline",
    "em_open", "em_close", "strong_open", "strong_close", "bullet_list_open", "bullet_list_close",
    "ordered_list_open", "ordered_list_close", "list_item_open", "list_item_close",
    "link_open", "link_close",
}  # fmt: skip


def myst_tokens(text: str) -> list:
    """The tokens MyST-Parser (as Sphinx runs it) makes of ``text``, flattened."""
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    md = create_md_parser(MdParserConfig(), RendererHTML)
    flat = []
    for token in md.parse(text):
        flat.append(token)
        flat.extend(token.children or [])
    return flat


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "Text <img src=x onerror=alert(1)> more",
        "```{eval-rst}\n.. raw:: html\n\n   <b>x</b>\n```",
        ":::{raw} html\n<b>x</b>\n:::",
        "{raw}`html <b>x</b>` and {eval-rst}`x`",
        "# Heading\n\nSetext\n======",
        "[click](javascript:alert(1)) [d](data:text/html,x)",
        "![img](data:image/png;base64,AAAA)",
        "(target)=\n| a | b |\n|---|---|\n| 1 | 2 |",
        "> quoted\n\n$$\nx\n$$",
    ],
)
def test_sanitiser_leaves_only_allowed_markdown(hostile):
    safe = sanitize_prose(hostile)
    assert safe.problems
    for token in myst_tokens(safe.text):
        assert token.type in ALLOWED_TOKENS, (token.type, safe.text)
        if token.type == "link_open":
            assert str(token.attrs["href"]).startswith(("http://", "https://"))


def test_sanitiser_keeps_allowed_markdown():
    text = "A *good* `Pantry.add` call.\n\n- one\n- two\n\nSee [docs](https://example.org/x)."
    assert sanitize_prose(text).text == text
    assert sanitize_prose(text).problems == ()


def test_mermaid_labels_are_escaped():
    assert mermaid_label('a"b<c>') == '"a#quot;b#lt;c#gt;"'
    diagram = flowchart(["x", "y"], [("x", "y")])
    assert diagram is not None and 'n0["x"]' in diagram and "n0 --> n1" in diagram
    assert flowchart(["x"], []) is None


def _request(user: str = "u") -> CompletionRequest:
    return CompletionRequest("module:a", "module", "m", "system", user, ModuleResponse)


def test_cache_key_changes_with_prompt_and_model():
    base = _request()
    assert cache_key(base) == cache_key(_request())
    assert cache_key(base) != cache_key(_request("other"))
    other_model = CompletionRequest("module:a", "module", "m2", "system", "u", ModuleResponse)
    assert cache_key(base) != cache_key(other_model)


def test_corrupt_cache_entry_is_reported_not_fatal(tmp_path):
    cache = ResponseCache(tmp_path)
    request = _request()
    key = cache_key(request)
    cache.put(key, request, Completion(text='{"summary": "s", "internal_structure": "i"}', model="m"))
    entry = next(tmp_path.rglob("*.json"))
    assert json.loads(entry.read_text())["key"] == key
    assert cache.get(key) is not None
    entry.write_text('{"format": 1, "key": "')
    with pytest.raises(CacheEntryError, match=str(entry.name)):
        cache.get(key)


def test_config_reports_every_bad_value_with_its_name(tmp_path):
    with pytest.raises(InvalidConfigError) as info:
        LlmdocsConfig.from_values(
            {"llmdocs_packages": ["nope"], "llmdocs_output_dir": "/abs", "llmdocs_max_concurrency": "4"},
            tmp_path,
        )
    names = " ".join(info.value.problems)
    for setting in ("llmdocs_packages", "llmdocs_output_dir", "llmdocs_max_concurrency"):
        assert setting in names


def test_readme_lists_every_setting():
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"| `{setting.name}` |" in readme, setting.name


class _SlowFake(FakeBackend):
    """Answers after a random delay, and records the order of completion."""

    def __init__(self, seed: int) -> None:
        super().__init__()
        self.random = random.Random(seed)
        self.finished: list[str] = []

    async def complete(self, request: CompletionRequest) -> Completion:
        await anyio.sleep(self.random.random() / 1000)
        completion = await super().complete(request)
        self.finished.append(request.prompt_id)
        return completion


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_scheduler_never_starts_a_prompt_before_its_dependencies(tmp_path, seed):
    facts = extract_project([SHOP])
    config = LlmdocsConfig(packages=(SHOP,))
    plan = plan_project(facts, config, "shop")
    backend = _SlowFake(seed)
    scheduler = PageGenerationScheduler(
        plan,
        backend,
        ResponseCache(tmp_path / str(seed)),
        lambda spec, answers: build_request(spec, facts, plan, answers),
        max_concurrency=3,
    )
    result = anyio.run(scheduler.run)
    assert not result.failures
    assert sorted(backend.finished) == sorted(p.id for p in plan.prompts)
    started = [r.prompt_id for r in backend.requests]
    for spec in plan.prompts:
        for dep in spec.deps:
            assert backend.finished.index(dep) < started.index(spec.id)


def test_no_file_holds_merge_conflict_markers():
    root = Path(__file__).parents[1]
    suffixes = {".py", ".md", ".toml", ".ini", ".txt", ".rst", ".yaml", ".json", ".cfg"}
    found = []
    for path in root.rglob("*"):
        parts = set(path.relative_to(root).parts)
        if (
            parts & {".venv", ".git", ".cache", "_build", ".tox", "node_modules"}
            or path.suffix not in suffixes
        ):
            continue
        if not path.is_file():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if line.startswith(("<<<<<<< ", ">>>>>>> ")):
                found.append(f"{path.relative_to(root)}:{number}")
    assert found == []
