"""Source found in the wild: every case extracts without crashing, and whatever is wrong is a diagnostic
naming ``path:line``. Files are real files in a temporary folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from sphinxcontrib_llmdocs.extract import Diagnostic, ProjectFacts, extract_project


def make_package(tmp_path: Path, files: dict[str, bytes | str], name: str = "pkg") -> Path:
    root = tmp_path / name
    root.mkdir()
    (root / "__init__.py").write_text("")
    for relpath, content in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
    return root


def only_diagnostic(facts: ProjectFacts, path: Path) -> Diagnostic:
    found = [d for d in facts.diagnostics if d.path == str(path)]
    assert len(found) == 1, facts.diagnostics
    assert str(found[0]).startswith(f"{path}:{found[0].line}: ")
    return found[0]


def test_syntax_error_names_path_and_line_and_keeps_the_rest(tmp_path):
    root = make_package(tmp_path, {"bad.py": "x = 1\n\ndef f(:\n    pass\n", "good.py": "def g(): pass\n"})
    facts = extract_project([root])
    diagnostic = only_diagnostic(facts, root / "bad.py")
    assert diagnostic.line == 3 and "syntax error" in diagnostic.message and diagnostic.left_out
    assert [m.name for m in facts.modules] == ["pkg", "pkg.good"]


def test_pep263_encoding_declaration_is_honoured(tmp_path):
    source = '# -*- coding: latin-1 -*-\n"""Caf\xe9 cr\xe8me."""\n\ndef br\xfbl\xe9e(): pass\n'
    root = make_package(tmp_path, {"menu.py": source.encode("latin-1")})
    facts = extract_project([root])
    assert facts.diagnostics == ()
    module = facts.module("pkg.menu")
    assert module.docstring == "Café crème."
    (symbol,) = module.symbols
    assert symbol.name == "brûlée" and symbol.line == 4


def test_unknown_declared_encoding_is_a_diagnostic_on_the_declaration(tmp_path):
    root = make_package(tmp_path, {"alien.py": b"#!/usr/bin/env python\n# -*- coding: klingon -*-\nx = 1\n"})
    facts = extract_project([root])
    diagnostic = only_diagnostic(facts, root / "alien.py")
    assert diagnostic.line == 2 and "klingon" in diagnostic.message


def test_latin1_without_declaration_is_read_with_a_warning_at_the_first_bad_byte(tmp_path):
    source = 'x = 1\ny = 2\nLABEL = "d\xe9j\xe0 vu"\n\ndef f(): pass\n'
    root = make_package(tmp_path, {"legacy.py": source.encode("latin-1")})
    facts = extract_project([root])
    diagnostic = only_diagnostic(facts, root / "legacy.py")
    assert diagnostic.line == 3 and "not valid UTF-8" in diagnostic.message
    assert not diagnostic.left_out
    module = facts.module("pkg.legacy")
    assert {s.name: s.value for s in module.symbols}["LABEL"] == '"déjà vu"'


def test_utf8_bom_is_skipped_and_lines_stay_right(tmp_path):
    source = '"""Doc with \u00fcmlaut."""\nX: int = 3\n\ndef f(a: str = "\u00e9") -> str:\n    return a\n'
    root = make_package(tmp_path, {"bom.py": b"\xef\xbb\xbf" + source.encode("utf-8")})
    facts = extract_project([root])
    assert facts.diagnostics == ()
    module = facts.module("pkg.bom")
    assert module.docstring == "Doc with ümlaut."
    symbols = {s.name: s for s in module.symbols}
    assert symbols["X"].line == 2 and symbols["X"].signature == ": int"
    assert symbols["f"].line == 4 and symbols["f"].signature == '(a: str = "é") -> str'


def test_bom_contradicting_a_coding_declaration_is_a_diagnostic(tmp_path):
    root = make_package(tmp_path, {"odd.py": b"\xef\xbb\xbf# -*- coding: latin-1 -*-\nx = 1\n"})
    facts = extract_project([root])
    diagnostic = only_diagnostic(facts, root / "odd.py")
    assert "decode" in diagnostic.message or "encoding" in diagnostic.message


def test_nul_byte_is_a_diagnostic_at_its_line(tmp_path):
    root = make_package(tmp_path, {"blob.py": b"a = 1\nb = 2\nc = '\x00'\n"})
    facts = extract_project([root])
    diagnostic = only_diagnostic(facts, root / "blob.py")
    assert diagnostic.line == 3 and "NUL" in diagnostic.message
    assert not facts.has_module("pkg.blob")


def test_crlf_and_tabs_keep_lines_and_signatures(tmp_path):
    source = (
        'class Shape:\r\n\t"""A shape."""\r\n\r\n\tdef area(\r\n\t\tself,\r\n\t\tscale: float = 1.0,\r\n'
        "\t) -> float:\r\n\t\treturn 0.0\r\n"
    )
    root = make_package(tmp_path, {"shapes.py": source.encode()})
    facts = extract_project([root])
    assert facts.diagnostics == ()
    (shape,) = facts.module("pkg.shapes").symbols
    (area,) = shape.members
    assert shape.docstring == "A shape."
    assert (area.line, area.end_line) == (4, 8)
    assert area.signature == "(self, scale: float = 1.0) -> float"


def test_inconsistent_tabs_are_a_diagnostic_with_the_line(tmp_path):
    root = make_package(tmp_path, {"tabs.py": b"def f():\n        x = 1\n\ty = 2\n"})
    facts = extract_project([root])
    diagnostic = only_diagnostic(facts, root / "tabs.py")
    assert diagnostic.line == 3


def test_a_5_mb_generated_module_is_extracted_with_a_warning(tmp_path):
    rows = "".join(f"    ({i}, 'name_{i:07d}', {i * 0.5}),\n" for i in range(160_000))
    source = f'"""Generated."""\nTABLE = [\n{rows}]\n\ndef lookup(key):\n    return TABLE[key]\n'
    assert len(source) > 5_000_000
    root = make_package(tmp_path, {"generated.py": source})
    facts = extract_project([root])
    diagnostic = only_diagnostic(facts, root / "generated.py")
    assert diagnostic.line == 1 and "large module" in diagnostic.message and not diagnostic.left_out
    symbols = {s.name: s for s in facts.module("pkg.generated").symbols}
    assert symbols["lookup"].references == ("pkg.generated.TABLE",)
    assert len(symbols["TABLE"].value or "") <= 80


@pytest.mark.parametrize(
    ("expression", "expected_line"),
    [
        ("(" * 300 + "1" + ")" * 300, 3),  # the tokenizer's parenthesis limit: a SyntaxError with a line
        ("1" + " + 1" * 200_000, 3),  # the parser's recursion limit: no line given, the longest is named
    ],
    ids=["parentheses", "operators"],
)
def test_deeply_nested_expressions_are_a_diagnostic(tmp_path, expression, expected_line):
    root = make_package(tmp_path, {"deep.py": f"a = 1\nb = 2\nc = {expression}\n", "fine.py": "z = 1\n"})
    facts = extract_project([root])
    diagnostic = only_diagnostic(facts, root / "deep.py")
    assert diagnostic.line == expected_line
    assert "nest" in diagnostic.message
    assert facts.has_module("pkg.fine")


def test_symlink_loop_is_walked_once_with_a_diagnostic(tmp_path):
    root = make_package(tmp_path, {"sub/__init__.py": "", "sub/mod.py": "def f(): pass\n"})
    (root / "sub" / "again").symlink_to(root, target_is_directory=True)
    (root / "self.py").symlink_to(root / "self.py")  # a file link that points at itself
    facts = extract_project([root])
    assert [m.name for m in facts.modules] == ["pkg", "pkg.sub", "pkg.sub.mod"]
    messages = {d.path: d for d in facts.diagnostics}
    assert "symbolic link loop" in messages[str(root / "sub" / "again")].message
    assert "symbolic link loop" in messages[str(root / "self.py")].message


def test_unreadable_file_is_a_diagnostic(tmp_path, monkeypatch):
    root = make_package(tmp_path, {"secret.py": "x = 1\n", "open.py": "y = 2\n"})
    secret = root / "secret.py"
    secret.chmod(0)
    if os.access(secret, os.R_OK):  # root reads anything: make the read itself fail as it would
        real_read = Path.read_bytes

        def read_bytes(self):
            if self == secret:
                raise PermissionError(13, "Permission denied", str(self))
            return real_read(self)

        monkeypatch.setattr(Path, "read_bytes", read_bytes)
    try:
        facts = extract_project([root])
    finally:
        secret.chmod(0o644)
    diagnostic = only_diagnostic(facts, secret)
    assert diagnostic.line == 1 and "cannot read file" in diagnostic.message
    assert facts.has_module("pkg.open")


def test_relative_import_beyond_the_top_package_is_a_warning_on_its_line(tmp_path):
    root = make_package(tmp_path, {"up.py": "import os\n\nfrom ... import nothing\n\ndef f(): pass\n"})
    facts = extract_project([root])
    diagnostic = only_diagnostic(facts, root / "up.py")
    assert diagnostic.line == 3 and "beyond the top-level package" in diagnostic.message
    assert not diagnostic.left_out
    assert [s.name for s in facts.module("pkg.up").symbols] == ["f"]


def test_module_and_package_of_one_name_the_package_wins(tmp_path):
    root = make_package(tmp_path, {"tools.py": "def old(): pass\n", "tools/__init__.py": "def new(): pass\n"})
    facts = extract_project([root])
    diagnostic = only_diagnostic(facts, root / "tools.py")
    assert "shadowed by the package" in diagnostic.message
    tools = facts.module("pkg.tools")
    assert tools.is_package and [s.name for s in tools.symbols] == ["new"]


def test_empty_package_and_empty_folders(tmp_path):
    root = make_package(tmp_path, {"empty/__init__.py": ""})
    (root / "nothing").mkdir()
    facts = extract_project([root])
    assert facts.diagnostics == ()
    empty = facts.module("pkg.empty")
    assert (empty.is_package, empty.line_count, empty.symbols, empty.docstring) == (True, 0, (), None)
    assert [m.name for m in facts.modules] == ["pkg", "pkg.empty"]


def test_newer_syntax_the_running_python_parses(tmp_path):
    source = (
        "def classify(point):\n"
        "    match point:\n"
        "        case (0, 0):\n"
        "            return 'origin'\n"
        "        case (x, _) if (doubled := x * 2) > 10:\n"
        "            return doubled\n"
        "    return None\n"
    )
    files = {"modern.py": source}
    if sys.version_info >= (3, 12):
        files["generic.py"] = (
            "type Pair[T] = tuple[T, T]\n\ndef first[T](pair: Pair[T]) -> T:\n    return pair[0]\n"
        )
    root = make_package(tmp_path, files)
    facts = extract_project([root])
    assert facts.diagnostics == ()
    (classify,) = facts.module("pkg.modern").symbols
    assert classify.signature == "(point)"
    if sys.version_info >= (3, 12):
        kinds = {s.name: s.kind for s in facts.module("pkg.generic").symbols}
        assert kinds == {"Pair": "type alias", "first": "function"}


# Syntax the running Python cannot parse: PEP 695 before 3.12, PEP 758 (unparenthesised except) before 3.14.
if sys.version_info < (3, 12):
    TOO_NEW = "x = 1\n\ntype Pair = tuple[int, int]\n"
elif sys.version_info < (3, 14):
    TOO_NEW = "x = 1\ntry:\n    pass\nexcept ValueError, TypeError:\n    pass\n"
else:
    TOO_NEW = "x = 1\n\ndef f() -> int:\n    return 1 ?? 2\n"  # not Python in any version yet


def test_syntax_newer_than_the_running_python_is_a_diagnostic(tmp_path):
    root = make_package(tmp_path, {"future.py": TOO_NEW})
    facts = extract_project([root])
    diagnostic = only_diagnostic(facts, root / "future.py")
    assert diagnostic.line in (3, 4)
    running = f"Python {sys.version_info.major}.{sys.version_info.minor}"
    assert running in diagnostic.message and "newer Python" in diagnostic.message


def test_doc_comments_document_constants_and_attributes(tmp_path):
    """Sphinx's ``#:`` convention: the comment block above an assignment (or at its end) is its docstring."""
    from sphinxcontrib_llmdocs.extract import extract_project

    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text(
        '"""P."""\n\n#: Kilograms in one metric tonne.\n#: Exactly.\nKG_PER_TONNE = 1000\n'
        "X = 3  #: three things\n# an ordinary comment\nY = 4\n\n\n"
        "class A:\n    #: the size\n    size: int = 1\n"
    )
    (module,) = extract_project([package]).modules
    docs = {s.name: s.docstring for s in module.symbols}
    assert docs["KG_PER_TONNE"] == "Kilograms in one metric tonne.\nExactly."
    assert docs["X"] == "three things"
    assert docs["Y"] is None
    (cls,) = [s for s in module.symbols if s.name == "A"]
    assert [(m.name, m.docstring) for m in cls.members] == [("size", "the size")]
