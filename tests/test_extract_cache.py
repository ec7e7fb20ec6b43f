"""The content-hash cache: a second run parses zero unchanged files (counted, not timed)."""

from __future__ import annotations

import ast
import shutil

import pytest
from conftest import ROOTS

from sphinxcontrib_llmdocs.extract import extract_project, to_jsonable


@pytest.fixture
def counted_parses(monkeypatch):
    """Every ``ast.parse`` of a whole file (parsing for string annotations is not a file parse)."""
    files: list[str] = []
    real_parse = ast.parse

    def parse(source, filename="<unknown>", *args, **kwargs):
        if filename != "<unknown>":
            files.append(str(filename))
        return real_parse(source, filename, *args, **kwargs)

    monkeypatch.setattr(ast, "parse", parse)
    return files


@pytest.fixture
def zoo(tmp_path):
    return shutil.copytree(ROOTS / "test-extract-relations" / "src", tmp_path / "src")


def test_second_run_parses_nothing_and_gives_the_same_facts(zoo, tmp_path, counted_parses):
    cache = tmp_path / "doctrees" / "llmdocs" / "facts"
    first = extract_project([zoo], cache_dir=cache)
    assert len(counted_parses) == first.parsed_files == 7  # six modules and one stub beside a module
    assert first.cached_files == 0
    counted_parses.clear()
    second = extract_project([zoo], cache_dir=cache)
    assert counted_parses == []
    assert (second.parsed_files, second.cached_files) == (0, 7)
    assert to_jsonable(second.modules) == to_jsonable(first.modules)
    assert second.diagnostics == first.diagnostics


def test_only_the_changed_file_is_parsed_again_and_relations_follow(zoo, tmp_path, counted_parses):
    cache = tmp_path / "facts"
    extract_project([zoo], cache_dir=cache)
    feeding = zoo / "zoo" / "feeding.py"
    feeding.write_text(feeding.read_text() + "\n\ndef feed_cat(cat):\n    return feed_all(cat)\n")
    counted_parses.clear()
    facts = extract_project([zoo], cache_dir=cache)
    assert counted_parses == [str(feeding)]
    assert facts.parsed_files == 1
    # Relations are linked afresh every run, from cached and new files alike.
    assert facts.symbol("zoo.feeding.feed_all").called_by == ("zoo.feeding.feed_cat", "zoo.open_zoo")


def test_a_moved_checkout_still_hits_and_reports_current_paths(tmp_path, counted_parses):
    first_place = shutil.copytree(ROOTS / "test-syntax-error" / "src", tmp_path / "a" / "src")
    cache = tmp_path / "facts"
    extract_project([first_place], cache_dir=cache)
    second_place = shutil.copytree(first_place, tmp_path / "b" / "src")
    counted_parses.clear()
    facts = extract_project([second_place], cache_dir=cache)
    assert counted_parses == []
    (diagnostic,) = facts.diagnostics  # a cached syntax error, pointing at the new place
    assert diagnostic.path == str(second_place / "broken" / "bad.py") and diagnostic.line == 4
    assert facts.module("broken.good").path == str(second_place / "broken" / "good.py")


def test_a_damaged_cache_file_is_an_empty_cache(zoo, tmp_path, counted_parses):
    cache = tmp_path / "facts"
    extract_project([zoo], cache_dir=cache)
    (pickle_file,) = cache.iterdir()
    pickle_file.write_bytes(b"not a pickle")
    counted_parses.clear()
    facts = extract_project([zoo], cache_dir=cache)
    assert facts.parsed_files == 7 and len(counted_parses) == 7
    assert facts.diagnostics == ()
