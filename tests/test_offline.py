"""The offline writer turns reST docstrings into the markdown a reader expects."""

from __future__ import annotations

from sphinxcontrib_llmdocs.llm.offline import _rest_of, first_paragraph

DOC = """Add :class:`Quantity` of ``name`` to the stock.

Stock of the same ingredient is merged.

:param ingredient: The ingredient
    to add.
:param quantity: How much.
:returns: The :class:`~recipebox.model.pantry.PantryItem` now in stock.
:raises UnitError: when the units cannot be converted.
"""


def test_roles_and_literals_become_inline_code():
    assert first_paragraph(DOC) == "Add `Quantity` of `name` to the stock."


def test_field_lists_become_markdown_lists():
    assert _rest_of(DOC).splitlines() == [
        "Stock of the same ingredient is merged.",
        "",
        "- Parameter `ingredient`: The ingredient to add.",
        "- Parameter `quantity`: How much.",
        "- Returns: The `recipebox.model.pantry.PantryItem` now in stock.",
        "- Raises `UnitError`: when the units cannot be converted.",
    ]


def test_a_docstring_that_is_only_fields_has_no_summary_sentence():
    assert first_paragraph(":param x: the x") == ""


def test_index_overview_does_not_repeat_a_package_name_its_docstring_opens_with():
    from sphinxcontrib_llmdocs.llm.offline import _index_answer

    evidence = {
        "target": [{"modules": 3, "lines": 90}],
        "dependencies": [{"name": "recipebox", "summary": "recipebox: a small recipe library."}],
    }
    overview = str(_index_answer(evidence)["overview"])
    assert "- `recipebox`: A small recipe library." in overview
    assert "recipebox: recipebox" not in overview
