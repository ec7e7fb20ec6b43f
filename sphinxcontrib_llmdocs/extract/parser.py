"""Turn one source file into :class:`ModuleFacts` with :mod:`ast`; user code is never imported or run."""

from __future__ import annotations

import ast
import hashlib
import io
import tokenize
from dataclasses import dataclass

from sphinxcontrib_llmdocs.extract.discovery import SourceFile
from sphinxcontrib_llmdocs.extract.facts import Diagnostic, SymbolFacts, SymbolKind

__all__ = ["ParsedModule", "RawImport", "parse_source"]

_PROPERTY_DECORATORS = {"property", "cached_property", "functools.cached_property", "abc.abstractproperty"}


@dataclass(frozen=True)
class RawImport:
    """An import statement before resolution against the documented modules.

    :param target: absolute dotted module (relative imports already made absolute).
    :param is_from: ``from target import names`` rather than ``import target``.
    """

    target: str
    names: tuple[str, ...]
    line: int
    is_from: bool
    type_only: bool


@dataclass(frozen=True)
class ParsedModule:
    """What one file yields before imports are resolved across the project."""

    source: SourceFile
    content_hash: str
    line_count: int
    docstring: str | None
    all_names: tuple[str, ...] | None
    imports: tuple[RawImport, ...]
    symbols: tuple[SymbolFacts, ...]
    diagnostics: tuple[Diagnostic, ...]


def parse_source(source: SourceFile) -> ParsedModule | Diagnostic:
    """Parse ``source``; a file that cannot be read, decoded or parsed gives a :class:`Diagnostic`."""
    display = str(source.path)
    try:
        data = source.path.read_bytes()
    except OSError as exc:
        return Diagnostic(display, 1, f"cannot read file: {exc.strerror or exc}")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
        line = getattr(exc, "lineno", None) or 1
        return Diagnostic(display, int(line), f"cannot decode file: {exc}")
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        tree = ast.parse(text, filename=display, type_comments=False)
    except SyntaxError as exc:
        return Diagnostic(display, exc.lineno or 1, f"syntax error: {exc.msg}")
    except (ValueError, RecursionError, MemoryError) as exc:
        return Diagnostic(display, 1, f"cannot parse file: {type(exc).__name__}: {exc}")

    diagnostics: list[Diagnostic] = []
    package = source.name if source.is_package else source.name.rpartition(".")[0]
    imports = tuple(_collect_imports(tree, package, display, diagnostics))
    all_names = _find_all(tree)
    symbols = tuple(_module_symbols(tree, source.name, all_names))
    return ParsedModule(
        source=source,
        content_hash=hashlib.sha256(data).hexdigest(),
        line_count=text.count("\n") + (0 if text.endswith("\n") or not text else 1),
        docstring=ast.get_docstring(tree),
        all_names=all_names,
        imports=imports,
        symbols=symbols,
        diagnostics=tuple(diagnostics),
    )


def _is_type_checking_test(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _collect_imports(
    tree: ast.Module, package: str, display: str, diagnostics: list[Diagnostic]
) -> list[RawImport]:
    found: list[RawImport] = []

    def visit(node: ast.AST, type_only: bool) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append(RawImport(alias.name, (), node.lineno, False, type_only))
            return
        if isinstance(node, ast.ImportFrom):
            target = _absolute_target(node, package)
            if target is None:
                diagnostics.append(
                    Diagnostic(display, node.lineno, "relative import goes beyond the top-level package")
                )
                return
            names = tuple(a.name for a in node.names)
            found.append(RawImport(target, names, node.lineno, True, type_only))
            return
        if isinstance(node, ast.If) and _is_type_checking_test(node.test):
            for stmt in node.body:
                visit(stmt, True)
            for stmt in node.orelse:
                visit(stmt, type_only)
            return
        for child in ast.iter_child_nodes(node):
            visit(child, type_only)

    visit(tree, False)
    return found


def _absolute_target(node: ast.ImportFrom, package: str) -> str | None:
    if not node.level:
        return node.module or ""
    parts = package.split(".") if package else []
    if node.level - 1 > len(parts) - 1 or not parts:
        return None
    base = parts[: len(parts) - (node.level - 1)]
    if node.module:
        base = [*base, *node.module.split(".")]
    return ".".join(base)


def _find_all(tree: ast.Module) -> tuple[str, ...] | None:
    for node in tree.body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets) and isinstance(
            value, ast.List | ast.Tuple
        ):
            return tuple(
                e.value for e in value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)
            )
    return None


def _signature(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    text = f"({ast.unparse(node.args)})"
    if node.returns is not None:
        text += f" -> {ast.unparse(node.returns)}"
    return text


def _function(node: ast.FunctionDef | ast.AsyncFunctionDef, prefix: str, in_class: bool) -> SymbolFacts:
    decorators = tuple(ast.unparse(d) for d in node.decorator_list)
    kind: SymbolKind
    if in_class:
        kind = "property" if _PROPERTY_DECORATORS & set(decorators) else "method"
    else:
        kind = "async function" if isinstance(node, ast.AsyncFunctionDef) else "function"
    return SymbolFacts(
        qualname=f"{prefix}.{node.name}",
        name=node.name,
        kind=kind,
        line=node.lineno,
        end_line=node.end_lineno or node.lineno,
        signature=_signature(node),
        docstring=ast.get_docstring(node),
        decorators=decorators,
    )


def _class(node: ast.ClassDef, prefix: str) -> SymbolFacts:
    qualname = f"{prefix}.{node.name}"
    members: list[SymbolFacts] = []
    for child in node.body:
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            member = _function(child, qualname, in_class=True)
            if any(d.endswith((".setter", ".deleter")) for d in member.decorators):
                continue
            members.append(member)
        elif isinstance(child, ast.ClassDef):
            members.append(_class(child, qualname))
    return SymbolFacts(
        qualname=qualname,
        name=node.name,
        kind="class",
        line=node.lineno,
        end_line=node.end_lineno or node.lineno,
        docstring=ast.get_docstring(node),
        decorators=tuple(ast.unparse(d) for d in node.decorator_list),
        bases=tuple(ast.unparse(b) for b in node.bases),
        members=tuple(members),
    )


def _module_symbols(tree: ast.Module, module: str, all_names: tuple[str, ...] | None) -> list[SymbolFacts]:
    symbols: list[SymbolFacts] = []
    exported = set(all_names or ())
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            symbols.append(_class(node, module))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            symbols.append(_function(node, module, in_class=False))
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if not isinstance(target, ast.Name) or target.id == "__all__":
                    continue
                if target.id.isupper() or target.id in exported:
                    annotation = ast.unparse(node.annotation) if isinstance(node, ast.AnnAssign) else ""
                    symbols.append(
                        SymbolFacts(
                            qualname=f"{module}.{target.id}",
                            name=target.id,
                            kind="constant",
                            line=node.lineno,
                            end_line=node.end_lineno or node.lineno,
                            signature=f": {annotation}" if annotation else "",
                        )
                    )
    return symbols
