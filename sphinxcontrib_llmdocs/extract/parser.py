"""Turn one source file into facts with :mod:`ast`; user code is never imported or run.

The result of one file, :class:`ParsedModule`, depends on nothing but the file's bytes and its dotted name,
so it can be cached by content hash; everything that needs other files (what a name refers to, who calls
whom) is done afterwards by :mod:`.link`.

Speed matters (the benchmark holds extraction to 1.5 times a plain ``ast.parse``): statements are visited
once; expressions only inside scopes, by :func:`.scan.scan_scope`; signatures, decorators and values are
sliced from the source bytes instead of ``ast.unparse``.
"""

from __future__ import annotations

import ast
import builtins
import dataclasses
import hashlib
import io
import sys
import tokenize
from dataclasses import MISSING, dataclass, field
from typing import Any

from sphinxcontrib_llmdocs.extract.discovery import SourceFile
from sphinxcontrib_llmdocs.extract.facts import Diagnostic, SymbolFacts, SymbolKind, Visibility
from sphinxcontrib_llmdocs.extract.scan import ScopeUses, absolute_module, chain_of, scan_scope

__all__ = ["LARGE_MODULE_BYTES", "PARSER_VERSION", "ParsedModule", "RawImport", "parse_source"]

#: Part of the cache key: bump whenever what :func:`parse_source` returns changes shape or content.
PARSER_VERSION = "3"

#: A module this big is extracted, with a warning that it is likely generated and costly to document.
LARGE_MODULE_BYTES = 1_000_000

_PROPERTY_DECORATORS = {
    "property",
    "cached_property",
    "functools.cached_property",
    "abc.abstractproperty",
    "abstractproperty",
}
_BUILTINS = frozenset(dir(builtins))
_BOM = b"\xef\xbb\xbf"
_TypeAliasNode: type | None = getattr(ast, "TypeAlias", None)  # Python 3.12+
_COMPOUND = (ast.If, ast.Try, ast.With, ast.AsyncWith, ast.For, ast.AsyncFor, ast.While) + (
    (ast.TryStar,) if hasattr(ast, "TryStar") else ()
)
_Use = tuple[str, bool]


@dataclass(frozen=True)
class RawImport:
    """An import statement before resolution against the documented modules.

    :param target: absolute dotted module (relative imports already made absolute).
    :param is_from: ``from target import names`` rather than ``import target``.
    :param deferred: inside a function or class body rather than at module level.
    """

    target: str
    names: tuple[str, ...]
    line: int
    is_from: bool
    type_only: bool
    deferred: bool = False


@dataclass(frozen=True)
class ParsedModule:
    """What one file yields before names are resolved across the project.

    :param bindings: module-level name -> dotted path it stands for (``json_format`` ->
        ``recipebox.io.json_format``, ``Recipe`` -> ``recipebox.model.recipe.Recipe``); definitions map to
        their own qualified name.
    :param uses: symbol qualname -> (dotted path, called) pairs: what its code names, already rewritten
        through ``bindings``; a path starting with ``*.`` names something only a star import can supply.
    :param class_bases: class qualname -> its bases as dotted paths (``enum.Enum``, or as written).
    :param class_decorators: class qualname -> its decorators as dotted paths.
    """

    source: SourceFile
    content_hash: str
    line_count: int
    docstring: str | None
    all_names: tuple[str, ...] | None
    imports: tuple[RawImport, ...]
    symbols: tuple[SymbolFacts, ...]
    diagnostics: tuple[Diagnostic, ...]
    bindings: dict[str, str] = field(default_factory=dict)
    star_imports: tuple[str, ...] = ()
    uses: dict[str, tuple[_Use, ...]] = field(default_factory=dict)
    class_bases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    class_decorators: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: (symbol qualname, what it does that cannot be followed statically) pairs.
    dynamic: tuple[tuple[str, str], ...] = ()


def read_source(source: SourceFile) -> bytes | Diagnostic:
    """The file's bytes, or a diagnostic naming it when it cannot be read."""
    try:
        return source.path.read_bytes()
    except OSError as exc:
        return Diagnostic(str(source.path), 1, f"cannot read file: {exc.strerror or exc}")


def content_hash(data: bytes) -> str:
    """The hash facts are cached under (with the parser version and the module's name)."""
    return hashlib.sha256(data).hexdigest()


def parse_source(source: SourceFile, data: bytes | None = None) -> ParsedModule | Diagnostic:
    """Parse ``source``; a file that cannot be read, decoded or parsed gives a :class:`Diagnostic`."""
    display = str(source.path)
    if data is None:
        read = read_source(source)
        if isinstance(read, Diagnostic):
            return read
        data = read
    diagnostics: list[Diagnostic] = []
    body = data[3:] if data.startswith(_BOM) else data
    exact = True
    text: bytes | str = body  # the parser decodes UTF-8 bytes itself, fastest
    if b"coding" in body[:400] and _declared_encoding(data) not in ("utf-8", None):
        decoded = _decode(data, display)
        if isinstance(decoded, Diagnostic):
            return decoded
        # Parsed as text (the declaration is then ignored); columns count UTF-8 bytes of that text.
        text = decoded.removeprefix("\ufeff")
        body = text.encode("utf-8")
    if b"\0" in body:
        line = body[: body.index(b"\0")].count(b"\n") + 1
        return Diagnostic(display, line, "cannot parse file: it contains a NUL byte (is it binary?)")
    try:
        tree = ast.parse(text, filename=display)
    except SyntaxError as exc:
        if "unicode error" in str(exc.msg) or "decode" in str(exc.msg):
            return _latin1_fallback(source, data, body, exc, diagnostics)
        return Diagnostic(display, exc.lineno or 1, _syntax_message(exc))
    except (ValueError, RecursionError, MemoryError) as exc:
        return _too_deep(display, body, exc)
    return _build(source, data, body, tree, exact, diagnostics)


def _declared_encoding(data: bytes) -> str | None:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        return "invalid"
    return encoding.lower().replace("_", "-").removesuffix("-sig")


def _decode(data: bytes, display: str) -> str | Diagnostic:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
        line = getattr(exc, "lineno", None)
        if isinstance(exc, UnicodeDecodeError):
            line = data[: exc.start].count(b"\n") + 1
        elif line is None:  # an unknown or contradicted declaration: it sits on line 1 or 2
            first_two = data.split(b"\n", 2)[:2]
            line = next((i + 1 for i, text in enumerate(first_two) if b"coding" in text), 1)
        return Diagnostic(display, int(line or 1), f"cannot decode file: {exc}")


def _latin1_fallback(
    source: SourceFile, data: bytes, body: bytes, exc: SyntaxError, diagnostics: list[Diagnostic]
) -> ParsedModule | Diagnostic:
    """A file that is not UTF-8 and declares no encoding: Python would refuse it; we read it as Latin-1."""
    display = str(source.path)
    try:
        body.decode("utf-8")
        return Diagnostic(display, exc.lineno or 1, _syntax_message(exc))
    except UnicodeDecodeError as bad:
        line = body[: bad.start].count(b"\n") + 1
    diagnostics.append(
        Diagnostic(
            display,
            line,
            "not valid UTF-8 and no '# -*- coding: ... -*-' declaration (Python would refuse to import "
            "it); read as Latin-1",
            left_out=False,
        )
    )
    body = body.decode("latin-1").encode("utf-8")
    try:
        tree = ast.parse(body, filename=display)
    except SyntaxError as again:
        return Diagnostic(display, again.lineno or 1, _syntax_message(again))
    except (ValueError, RecursionError, MemoryError) as again:
        return _too_deep(display, body, again)
    return _build(source, data, body, tree, True, diagnostics)


def _too_deep(display: str, body: bytes, exc: Exception) -> Diagnostic:
    """The parser gave up without a line (its recursion limit, or memory): point at the longest line."""
    lines = body.split(b"\n")
    longest = max(range(len(lines)), key=lambda i: len(lines[i])) + 1
    return Diagnostic(
        display,
        longest,
        f"cannot parse file: {type(exc).__name__} {exc or ''} (an expression nested too deeply for the "
        f"parser, likely on this line, the longest)".replace("  ", " "),
    )


def _syntax_message(exc: SyntaxError) -> str:
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    message = f"syntax error: {exc.msg}"
    if "nested" in str(exc.msg) or "too many" in str(exc.msg):
        return f"{message} (the parser's nesting limit)"
    return (
        f"{message} (Python {running}'s parser; if this is syntax of a newer Python, build with that Python)"
    )


def _build(
    source: SourceFile,
    data: bytes,
    body: bytes,
    tree: ast.Module,
    exact: bool,
    diagnostics: list[Diagnostic],
) -> ParsedModule | Diagnostic:
    display = str(source.path)
    if len(data) > LARGE_MODULE_BYTES:
        diagnostics.append(
            Diagnostic(
                display,
                1,
                f"large module ({len(data) / 1e6:.1f} MB): extracted, but it looks generated; documenting "
                "it costs many tokens (leave it out with llmdocs_exclude)",
                left_out=False,
            )
        )
    try:
        builder = _ModuleBuilder(source, _Source(body, exact), diagnostics)
        builder.run(tree)
    except RecursionError as exc:
        return _too_deep(display, body, exc)
    line_count = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    return ParsedModule(
        source=source,
        content_hash=content_hash(data),
        line_count=line_count,
        docstring=ast.get_docstring(tree),
        all_names=builder.all_names,
        imports=tuple(builder.imports),
        symbols=tuple(builder.symbols),
        diagnostics=tuple(diagnostics),
        bindings=builder.bindings,
        star_imports=tuple(builder.star_imports),
        uses=builder.resolved_uses(),
        class_bases=builder.class_bases,
        class_decorators=builder.class_decorators,
        dynamic=tuple(builder.dynamic),
    )


class _Source:
    """Source text of nodes, sliced from the bytes the parser read (``ast.unparse`` is far slower)."""

    def __init__(self, data: bytes, exact: bool) -> None:
        # Column offsets count UTF-8 bytes from the start of a line split at "\n"; a lone "\r" (old Mac
        # line ends) breaks that, and the slower unparse is used.
        self.data = data
        self.exact = exact and (b"\r" not in data or data.count(b"\r") == data.count(b"\r\n"))
        self._lines: list[bytes] | None = None

    def segment(self, node: ast.AST) -> str:
        if not self.exact:
            return ast.unparse(node)
        lines = self._lines
        if lines is None:
            lines = self._lines = self.data.split(b"\n")
        line = node.lineno  # type: ignore[attr-defined]
        end = node.end_lineno  # type: ignore[attr-defined]
        if line == end:
            chunk: bytes = lines[line - 1][node.col_offset : node.end_col_offset]  # type: ignore[attr-defined]
            return chunk.decode("utf-8", "replace")
        if end is None:
            return ast.unparse(node)
        chunk = b"\n".join(
            [
                lines[line - 1][node.col_offset :],  # type: ignore[attr-defined]
                *lines[line : end - 1],
                lines[end - 1][: node.end_col_offset],  # type: ignore[attr-defined]
            ]
        )
        text = chunk.decode("utf-8", "replace")
        # Multi-line: collapse the layout, unless a string or comment might make whitespace matter.
        if "'" in text or '"' in text or "#" in text:
            return ast.unparse(node)
        return " ".join(text.split())

    def doc_comment(self, line: int) -> str | None:
        """The ``#:`` comment block right above ``line`` (or ``#:`` at the end of it), as Sphinx's autodoc
        reads it for variables and constants; ``None`` without one."""
        lines = self._lines
        if lines is None:
            lines = self._lines = self.data.split(b"\n")
        above = lines[line - 2] if line >= 2 else b""
        if not above.lstrip().startswith(b"#:") and (line > len(lines) or b"#:" not in lines[line - 1]):
            return None  # the common case, decided on bytes without decoding
        found: list[str] = []
        number = line - 1
        while number >= 1:
            text = lines[number - 1].decode("utf-8", "replace").strip()
            if not text.startswith("#:"):
                break
            found.insert(0, text[2:].strip())
            number -= 1
        if not found and line <= len(lines):
            own = lines[line - 1].decode("utf-8", "replace")
            _, marker, trailing = own.partition("#:")
            if marker and trailing.strip():
                found.append(trailing.strip())
        return "\n".join(found) or None

    def preview(self, node: ast.AST, limit: int) -> str:
        """The start of the node's source, layout collapsed, cut to ``limit`` characters."""
        if not self.exact or node.end_lineno == node.lineno:  # type: ignore[attr-defined]
            text = self.segment(node)
        else:
            lines = self._lines if self._lines is not None else self.data.split(b"\n")
            self._lines = lines
            first = node.lineno  # type: ignore[attr-defined]
            chunk = b" ".join(lines[first - 1 : min(first + 3, node.end_lineno)])  # type: ignore[attr-defined]
            text = " ".join(chunk[node.col_offset :].decode("utf-8", "replace").split())  # type: ignore[attr-defined]
        return text if len(text) <= limit else text[: limit - 3] + "..."


_SYMBOL_DEFAULTS = {f.name: f.default for f in dataclasses.fields(SymbolFacts) if f.default is not MISSING}


def _symbol(**values: Any) -> SymbolFacts:
    """A :class:`SymbolFacts` equal to ``SymbolFacts(**values)``, made three times faster.

    The generated ``__init__`` of a frozen dataclass assigns each of its 25 fields through
    ``object.__setattr__``; tens of thousands of symbols make that a visible share of extraction time.
    """
    symbol = object.__new__(SymbolFacts)
    state = _SYMBOL_DEFAULTS.copy()
    state.update(values)
    object.__setattr__(symbol, "__dict__", state)
    return symbol


def _visibility(name: str, exported: set[str] | None, private_parent: bool) -> Visibility:
    if name.startswith("__") and name.endswith("__") and len(name) > 4:
        return "special"
    if name.startswith("_") or private_parent:
        return "private"
    if exported is not None and name not in exported:
        return "unexported"
    return "public"


def _docstring(body: list[ast.stmt]) -> str | None:
    if not body:
        return None
    first = body[0]
    if not isinstance(first, ast.Expr):
        return None
    value = first.value
    if not isinstance(value, ast.Constant) or not isinstance(value.value, str):
        return None
    text: str = value.value
    if "\n" not in text:
        return text.strip()
    import inspect

    return inspect.cleandoc(text)


def _is_type_checking_test(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _target_names(target: ast.expr) -> list[ast.Name]:
    if isinstance(target, ast.Name):
        return [target]
    if isinstance(target, ast.Tuple | ast.List):
        return [n for elt in target.elts for n in _target_names(elt)]
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    return []


class _ModuleBuilder:
    """One pass over a module's statements; expressions are visited only inside scopes."""

    def __init__(self, source: SourceFile, src: _Source, diagnostics: list[Diagnostic]) -> None:
        self.source = source
        self.module = source.name
        self.package = source.name if source.is_package else source.name.rpartition(".")[0]
        self.src = src
        self.display = str(source.path)
        self.diagnostics = diagnostics
        self.imports: list[RawImport] = []
        self.symbols: list[SymbolFacts] = []
        self.bindings: dict[str, str] = {}
        self.star_imports: list[str] = []
        self.all_names: tuple[str, ...] | None = None
        self.class_bases: dict[str, tuple[str, ...]] = {}
        self.class_decorators: dict[str, tuple[str, ...]] = {}
        self.dynamic: list[tuple[str, str]] = []
        # Scopes are rewritten once every module-level binding is known.
        self._scopes: list[tuple[str, ScopeUses, str | None]] = []
        self._body: list[ast.stmt] = []
        self._module_scope = ScopeUses()  # the statement list being walked (overloads look ahead in it)

    # -- module level -------------------------------------------------------------------------------

    def run(self, tree: ast.Module) -> None:
        self.all_names = _find_all(tree)
        self._statements(tree.body, type_only=False, top=True)
        self.dynamic.extend((self.module, note) for note in self._module_scope.dynamic)
        if any(s.name == "__getattr__" and s.kind == "function" for s in self.symbols):
            self.dynamic.append((self.module, "module __getattr__: some attributes exist only at run time"))

    def _statements(self, body: list[ast.stmt], type_only: bool, top: bool) -> None:
        seen = {s.name for s in self.symbols}
        exported = set(self.all_names) if self.all_names is not None else None
        overloads: dict[str, list[str]] = {}
        outer, self._body = self._body, body
        for node in body:
            cls = node.__class__
            if cls is ast.FunctionDef or cls is ast.AsyncFunctionDef:
                assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                self.bindings.setdefault(node.name, f"{self.module}.{node.name}")
                symbol = self._function(node, self.module, None, exported, False, overloads)
                if symbol is not None and symbol.name not in seen:
                    seen.add(symbol.name)
                    self.symbols.append(symbol)
            elif cls is ast.ClassDef:
                assert isinstance(node, ast.ClassDef)
                self.bindings.setdefault(node.name, f"{self.module}.{node.name}")
                if node.name not in seen:
                    seen.add(node.name)
                    self.symbols.append(self._class(node, self.module, exported, False))
            elif cls is ast.Import or cls is ast.ImportFrom:
                self._import(node, type_only, deferred=False)  # type: ignore[arg-type]
            elif cls is ast.Assign or cls is ast.AnnAssign or cls is _TypeAliasNode:
                for symbol in self._assignment(node, self.module, exported, False, top=True):
                    self.bindings.setdefault(symbol.name, symbol.qualname)
                    if symbol.name not in seen:
                        seen.add(symbol.name)
                        self.symbols.append(symbol)
            elif cls is ast.If:
                assert isinstance(node, ast.If)
                self._statements(node.body, type_only or _is_type_checking_test(node.test), top)
                self._statements(node.orelse, type_only, top)
                seen = {s.name for s in self.symbols}
            elif isinstance(node, _COMPOUND):
                for block in ("body", "orelse", "finalbody"):
                    self._statements(getattr(node, block, []), type_only, top)
                for handler in getattr(node, "handlers", []):
                    self._statements(handler.body, type_only, top)
                seen = {s.name for s in self.symbols}
            elif cls is ast.Match:
                assert isinstance(node, ast.Match)
                for case in node.cases:
                    self._statements(case.body, type_only, top)
                seen = {s.name for s in self.symbols}
            elif cls is ast.Expr:
                # Top-level calls: only what they do dynamically is kept (plugin loading and the like).
                scan_scope([node], self._module_scope, self.package)
        self._body = outer

    def _import(self, node: ast.Import | ast.ImportFrom, type_only: bool, deferred: bool) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                self.imports.append(RawImport(alias.name, (), node.lineno, False, type_only, deferred))
                if not deferred:
                    if alias.asname:
                        self.bindings[alias.asname] = alias.name
                    else:
                        root = alias.name.partition(".")[0]
                        self.bindings[root] = root
            return
        target = absolute_module(node, self.package)
        if target is None:
            self.diagnostics.append(
                Diagnostic(
                    self.display,
                    node.lineno,
                    f"relative import {'.' * node.level}{node.module or ''} goes beyond the top-level "
                    f"package {self.package.partition('.')[0] or self.module!r}; that import is ignored",
                    left_out=False,
                )
            )
            return
        names = tuple(a.name for a in node.names)
        self.imports.append(RawImport(target, names, node.lineno, True, type_only, deferred))
        if deferred:
            return
        for alias in node.names:
            if alias.name == "*":
                self.star_imports.append(target)
            else:
                self.bindings[alias.asname or alias.name] = f"{target}.{alias.name}"

    # -- symbols ------------------------------------------------------------------------------------

    def _function(
        self,
        node: ast.FunctionDef | ast.AsyncFunctionDef,
        prefix: str,
        class_qualname: str | None,
        exported: set[str] | None,
        private_parent: bool,
        overloads: dict[str, list[str]],
    ) -> SymbolFacts | None:
        src = self.src
        decorators = tuple(src.segment(d) for d in node.decorator_list)
        signature = _signature(node, src)
        qualname = f"{prefix}.{node.name}"
        is_overload = any(d.partition("(")[0].rpartition(".")[2] == "overload" for d in decorators)
        if is_overload:
            overloads.setdefault(node.name, []).append(signature)
            if _defined_later(self._body, node):
                return None  # the implementation (or the last variant) that follows carries the group
            # Otherwise no implementation follows (a stub): the last variant stands for the group.
        return self._function_symbol(
            node,
            qualname,
            class_qualname,
            decorators,
            signature,
            exported,
            private_parent,
            overloads=tuple(overloads.pop(node.name, ())),
            is_overload=is_overload,
        )

    def _function_symbol(
        self,
        node: ast.FunctionDef | ast.AsyncFunctionDef,
        qualname: str,
        class_qualname: str | None,
        decorators: tuple[str, ...],
        signature: str,
        exported: set[str] | None,
        private_parent: bool,
        overloads: tuple[str, ...] = (),
        is_overload: bool = False,
    ) -> SymbolFacts:
        is_async = node.__class__ is ast.AsyncFunctionDef
        kind: SymbolKind
        if class_qualname is None:
            kind = "async function" if is_async else "function"
        elif not decorators:
            kind = "method"
        else:
            names = {d.partition("(")[0] for d in decorators}
            if names & _PROPERTY_DECORATORS:
                kind = "property"
            elif "classmethod" in names:
                kind = "classmethod"
            elif "staticmethod" in names:
                kind = "staticmethod"
            else:
                kind = "method"
        scope = ScopeUses()
        args = node.args
        params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        if args.vararg:
            params.append(args.vararg)
        if args.kwarg:
            params.append(args.kwarg)
        self_name = None
        if class_qualname is not None and kind != "staticmethod" and (args.posonlyargs or args.args):
            self_name = (args.posonlyargs or args.args)[0].arg
        nodes: list[ast.AST] = [*node.decorator_list, *args.defaults]
        if args.kw_defaults:
            nodes.extend(d for d in args.kw_defaults if d is not None)
        typed = scope.typed
        for param in params:
            annotation = param.annotation
            if annotation is not None:
                if annotation.__class__ is ast.Constant:
                    annotation = _unstring(annotation)  # type: ignore[assignment]
                nodes.append(annotation)
                if param.arg != self_name:
                    annotated = _annotated_class(annotation)
                    if annotated is not None:
                        typed[param.arg] = annotated
        if node.returns is not None:
            nodes.append(_unstring(node.returns))
        nodes.extend(node.body)
        scan_scope(nodes, scope, self.package)
        for name, chain in scope.constructed.items():
            # Assigned once, from a call: ``plan = MealPlan(...)`` then ``plan.add()`` is ``MealPlan.add``
            # when MealPlan is a class (a factory function's result stays unknown).
            if name not in scope.rebound and name not in typed and name not in scope.globals:
                typed[name] = chain
        scope.stores.update(p.arg for p in params)
        self._scope(qualname, scope, class_qualname, self_name)
        return _symbol(
            qualname=qualname,
            name=node.name,
            kind=kind,
            line=node.lineno,
            end_line=node.end_lineno or node.lineno,
            signature=signature,
            docstring=_docstring(node.body),
            decorators=decorators,
            visibility=_visibility(node.name, exported, private_parent),
            is_async=is_async,
            is_overload=is_overload,
            overloads=overloads,
        )

    def _class(
        self, node: ast.ClassDef, prefix: str, exported: set[str] | None, private_parent: bool
    ) -> SymbolFacts:
        qualname = f"{prefix}.{node.name}"
        visibility = _visibility(node.name, exported, private_parent)
        private = visibility == "private"
        src = self.src
        scope = ScopeUses()
        scan_scope(
            [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)], scope, self.package
        )
        members: list[SymbolFacts] = []
        self._class_body(node.body, qualname, private, members, scope)
        self._scope(qualname, scope, None, None)
        self.class_bases[qualname] = tuple(self._dotted_expr(b) for b in node.bases)
        self.class_decorators[qualname] = tuple(self._dotted_expr(d) for d in node.decorator_list)
        return _symbol(
            qualname=qualname,
            name=node.name,
            kind="class",
            line=node.lineno,
            end_line=node.end_lineno or node.lineno,
            docstring=_docstring(node.body),
            decorators=tuple(src.segment(d) for d in node.decorator_list),
            bases=tuple(src.segment(b) for b in node.bases),
            members=tuple(members),
            visibility=visibility,
        )

    def _class_body(
        self,
        body: list[ast.stmt],
        qualname: str,
        private: bool,
        members: list[SymbolFacts],
        scope: ScopeUses,
    ) -> None:
        seen = {m.name for m in members}
        overloads: dict[str, list[str]] = {}
        outer, self._body = self._body, body
        for child in body:
            cls = child.__class__
            if cls is ast.FunctionDef or cls is ast.AsyncFunctionDef:
                assert isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
                member = self._function(child, qualname, qualname, None, private, overloads)
                if member is None or member.name in seen:
                    continue
                if any(d.endswith((".setter", ".deleter")) for d in member.decorators):
                    continue
                seen.add(member.name)
                members.append(member)
            elif cls is ast.ClassDef:
                assert isinstance(child, ast.ClassDef)
                if child.name not in seen:
                    seen.add(child.name)
                    members.append(self._class(child, qualname, None, private))
            elif cls is ast.Assign or cls is ast.AnnAssign or cls is _TypeAliasNode:
                for member in self._assignment(child, qualname, None, private, top=False):
                    if member.name not in seen:
                        seen.add(member.name)
                        members.append(member)
            elif cls is ast.If or isinstance(child, _COMPOUND):
                if cls is ast.If:
                    scan_scope([child.test], scope, self.package)  # type: ignore[attr-defined]
                for block in ("body", "orelse", "finalbody"):
                    self._class_body(getattr(child, block, []), qualname, private, members, scope)
                for handler in getattr(child, "handlers", []):
                    self._class_body(handler.body, qualname, private, members, scope)
                seen = {m.name for m in members}
            else:
                scan_scope([child], scope, self.package)
        self._body = outer

    def _assignment(
        self,
        node: ast.stmt,
        prefix: str,
        exported: set[str] | None,
        private_parent: bool,
        top: bool,
    ) -> list[SymbolFacts]:
        annotation: ast.expr | None = None
        value: ast.expr | None
        if isinstance(node, ast.Assign):
            names = [n for t in node.targets for n in _target_names(t)]
            value = node.value
        elif isinstance(node, ast.AnnAssign):
            names = _target_names(node.target)
            annotation, value = node.annotation, node.value
        else:  # PEP 695 ``type X = ...``
            names = [node.name]  # type: ignore[attr-defined]
            value = node.value  # type: ignore[attr-defined]
        out: list[SymbolFacts] = []
        src = self.src
        annotation_text = src.segment(annotation) if annotation is not None else ""
        value_text = src.preview(value, 80) if value is not None else None
        scope: ScopeUses | None = None
        for target in names:
            name = target.id
            if name == "__all__":
                continue
            kind: SymbolKind
            if node.__class__ is _TypeAliasNode or annotation_text.rpartition(".")[2] == "TypeAlias":
                kind = "type alias"
            elif not top:
                kind = "class attribute"
            elif name.isupper() or (exported is not None and name in exported):
                kind = "constant"
            else:
                kind = "variable"
            qualname = f"{prefix}.{name}"
            if scope is None:
                scope = ScopeUses()
                scan_scope(
                    [n for n in (_unstring(annotation) if annotation else None, value) if n is not None],
                    scope,
                    self.package,
                )
            self._scope(qualname, scope, None, None)
            out.append(
                _symbol(
                    qualname=qualname,
                    name=name,
                    kind=kind,
                    line=node.lineno,
                    end_line=node.end_lineno or node.lineno,
                    signature=f": {annotation_text}" if annotation_text else "",
                    docstring=src.doc_comment(node.lineno),
                    visibility=_visibility(name, exported, private_parent),
                    value=value_text,
                )
            )
        return out

    # -- names --------------------------------------------------------------------------------------

    def _dotted_expr(self, node: ast.expr) -> str:
        """A base or decorator as a dotted path through the bindings, else as written."""
        inner = node
        while isinstance(inner, ast.Subscript | ast.Call):
            inner = inner.value if isinstance(inner, ast.Subscript) else inner.func
        chain = chain_of(inner)
        if chain is None:
            return self.src.segment(node)
        return self._rewrite(chain, {}, set(), None, None) or chain

    def _scope(
        self, qualname: str, scope: ScopeUses, class_qualname: str | None, self_name: str | None
    ) -> None:
        for node in scope.import_nodes:
            self._import(node, type_only=False, deferred=True)
        if scope.dynamic:
            self.dynamic.extend((qualname, note) for note in scope.dynamic)
        scope.self_name = self_name
        self._scopes.append((qualname, scope, class_qualname if self_name else None))

    def _rewrite(
        self,
        chain: str,
        imports: dict[str, str],
        local: set[str],
        self_name: str | None,
        class_qualname: str | None,
        typed: dict[str, str] | None = None,
    ) -> str | None:
        root, dot, rest = chain.partition(".")
        if typed and root in typed:
            # A parameter annotated with a class: ``pantry.add()`` is ``Pantry.add``, as far as the
            # annotation is honest. A bare use of the parameter says nothing.
            if not rest:
                return None
            base = self._rewrite(typed[root], imports, local - {root}, None, None) or ""
        elif root in imports:
            base = imports[root]
        elif root == self_name and class_qualname is not None:
            if not rest:
                return None
            base = class_qualname
        elif root in local:
            return None
        elif root in self.bindings:
            base = self.bindings[root]
        elif root in _BUILTINS:
            return None
        elif self.star_imports:
            base = f"*.{root}"
        else:
            return None
        return f"{base}{dot}{rest}" if base else None

    def resolved_uses(self) -> dict[str, tuple[_Use, ...]]:
        out: dict[str, tuple[_Use, ...]] = {}
        for qualname, scope, class_qualname in self._scopes:
            local = scope.stores - scope.globals
            self_name = scope.self_name
            # Plain locals say nothing about other code: most uses stop here, without a call.
            skip = local - scope.typed.keys() - scope.imports.keys() - {self_name}
            rewritten: dict[str, bool] = {}
            for chain, called in scope.uses.items():
                dot = chain.find(".")
                if (chain if dot < 0 else chain[:dot]) in skip:
                    continue
                dotted = self._rewrite(chain, scope.imports, local, self_name, class_qualname, scope.typed)
                if dotted is not None:
                    rewritten[dotted] = rewritten.get(dotted, False) or called
            if rewritten:
                out[qualname] = tuple(rewritten.items())
        return out


def _defined_later(body: list[ast.stmt], node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether a function of the same name follows ``node`` in ``body`` (an overload's implementation)."""
    after = False
    for other in body:
        if other is node:
            after = True
        elif after and isinstance(other, ast.FunctionDef | ast.AsyncFunctionDef) and other.name == node.name:
            return True
    return False


def _annotated_class(annotation: ast.expr) -> str | None:
    """The class an annotation names: ``Pantry``, ``models.Pantry``, ``"Pantry"``, ``Pantry | None``,
    ``Optional[Pantry]``; ``None`` for anything else (containers, unions of classes, ``Any``)."""
    node = _unstring(annotation)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        sides = [s for s in (node.left, node.right) if not (isinstance(s, ast.Constant) and s.value is None)]
        node = sides[0] if len(sides) == 1 else node
    elif isinstance(node, ast.Subscript) and (chain_of(node.value) or "").rpartition(".")[2] == "Optional":
        node = node.slice
    if isinstance(node, ast.Name | ast.Attribute):
        return chain_of(node)
    return None


def _unstring(annotation: ast.expr) -> ast.AST:
    """A string annotation (``"Recipe"``) parsed into the expression it stands for, when it parses."""
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            return ast.parse(annotation.value, mode="eval").body
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return annotation
    return annotation


def _signature(node: ast.FunctionDef | ast.AsyncFunctionDef, src: _Source) -> str:
    args = node.args
    parts: list[str] = []
    positional = [*args.posonlyargs, *args.args]
    first_default = len(positional) - len(args.defaults)
    for i, arg in enumerate(positional):
        text = _param(arg, src)
        if i >= first_default:
            text += (" = " if arg.annotation else "=") + src.segment(args.defaults[i - first_default])
        parts.append(text)
        if args.posonlyargs and i == len(args.posonlyargs) - 1:
            parts.append("/")
    if args.vararg:
        parts.append("*" + _param(args.vararg, src))
    elif args.kwonlyargs:
        parts.append("*")
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        text = _param(arg, src)
        if default is not None:
            text += (" = " if arg.annotation else "=") + src.segment(default)
        parts.append(text)
    if args.kwarg:
        parts.append("**" + _param(args.kwarg, src))
    text = f"({', '.join(parts)})"
    if node.returns is not None:
        text += f" -> {src.segment(node.returns)}"
    return text


def _param(arg: ast.arg, src: _Source) -> str:
    if arg.annotation is None:
        return arg.arg
    return f"{arg.arg}: {src.segment(arg.annotation)}"


def _find_all(tree: ast.Module) -> tuple[str, ...] | None:
    """``__all__`` as assigned, extended with ``+=`` and ``.extend``/``.append`` of string literals."""
    found: list[str] | None = None
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if node.value is not None and any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                found = _strings(node.value)
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            if node.target.id == "__all__" and found is not None:
                found.extend(_strings(node.value) or [])
        elif (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Call)
            and found is not None
            and chain_of(node.value.func) in ("__all__.extend", "__all__.append")
            and node.value.args
        ):
            arg = node.value.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.append(arg.value)
            else:
                found.extend(_strings(arg) or [])
    return tuple(found) if found is not None else None


def _strings(value: ast.expr) -> list[str] | None:
    if isinstance(value, ast.List | ast.Tuple):
        return [e.value for e in value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
        left, right = _strings(value.left), _strings(value.right)
        if left is not None or right is not None:
            return [*(left or []), *(right or [])]
    return None
