"""Layouts: src/ and flat, several roots, PEP 420 namespace packages, stubs, include/exclude globs."""

from __future__ import annotations

from pathlib import Path

from sphinxcontrib_llmdocs.extract import extract_project


def write(root: Path, files: dict[str, str]) -> Path:
    for relpath, text in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def names(facts) -> list[str]:
    return [m.name for m in facts.modules]


def test_src_layout_and_flat_layout_name_modules_alike(tmp_path):
    files = {"app/__init__.py": "", "app/core.py": "from app import util\n", "app/util.py": ""}
    src = write(tmp_path / "proj-src" / "src", files)
    flat = write(tmp_path / "proj-flat", {**files, "setup.py": "", "docs/conf.py": ""})
    from_src = extract_project([src])
    from_package = extract_project([flat / "app"])
    assert names(from_src) == names(from_package) == ["app", "app.core", "app.util"]
    assert from_src.module("app.core").internal_imports == ("app.util",)
    assert from_src.module("app.core").relpath == "app/core.py"
    # A flat source root documents its top-level modules too; folders without packages are not packages.
    assert names(extract_project([flat])) == ["app", "app.core", "app.util", "setup"]


def test_several_roots_the_first_wins_on_a_clash(tmp_path):
    one = write(tmp_path / "one", {"alpha/__init__.py": "from beta import b\n", "shared.py": "X = 1\n"})
    two = write(tmp_path / "two", {"beta/__init__.py": "b = 1\n", "shared.py": "Y = 2\n"})
    facts = extract_project([one, two])
    assert names(facts) == ["alpha", "beta", "shared"]
    assert facts.module("alpha").internal_imports == ("beta",)
    assert [s.name for s in facts.module("shared").symbols] == ["X"]
    (clash,) = facts.diagnostics
    assert clash.path == str(two / "shared.py") and "first root listed wins" in clash.message


def test_pep420_namespace_packages(tmp_path):
    src = write(
        tmp_path / "src",
        {
            "acme/billing/__init__.py": "from acme.shipping import rates\n",
            "acme/billing/invoice.py": "",
            "acme/shipping/__init__.py": "",
            "acme/shipping/rates.py": "def rate(): pass\n",
            "acme/helpers.py": "from acme.billing import invoice\n",  # a module of the namespace itself
            "scripts/run.py": "",  # loose scripts: no regular package below, so not a namespace package
            "build/lib/acme/billing/__init__.py": "",  # build output holding a copy: never a namespace
            "deep/a/b/c/pkg/__init__.py": "",  # a package four levels down does not make `deep` one
        },
    )
    facts = extract_project([src])
    assert names(facts) == [
        "acme.billing",
        "acme.billing.invoice",
        "acme.helpers",
        "acme.shipping",
        "acme.shipping.rates",
    ]
    assert facts.namespace_packages == ("acme",)
    assert facts.module("acme.billing").internal_imports == ("acme.shipping.rates",)
    assert facts.module("acme.helpers").internal_imports == ("acme.billing.invoice",)


def test_exclude_globs_on_names_paths_and_whole_packages(tmp_path):
    src = write(
        tmp_path / "src",
        {
            "app/__init__.py": "",
            "app/core.py": "",
            "app/_generated.py": "",
            "app/tests/__init__.py": "",
            "app/tests/test_core.py": "",
            "app/vendor/__init__.py": "",
            "app/vendor/six.py": "",
        },
    )
    facts = extract_project([src], ["app.tests", "*/_generated.py", "app.vendor*"])
    assert names(facts) == ["app", "app.core"]


def test_stub_only_package_init(tmp_path):
    src = write(tmp_path / "src", {"typed/__init__.pyi": "def f(x: int) -> int: ...\n", "typed/impl.py": ""})
    facts = extract_project([src])
    assert names(facts) == ["typed", "typed.impl"]
    assert facts.module("typed").path.endswith("__init__.pyi")
    assert facts.symbol("typed.f").signature == "(x: int) -> int"
