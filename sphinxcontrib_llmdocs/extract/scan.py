"""Collect the names a piece of code uses, fast: one explicit-stack walk per scope, no recursion.

A *use* is a dotted chain as written (``helpers.compute``, ``Recipe``, ``self.scale``) and whether it is
called. Python's scoping rule decides what a name means: a name assigned anywhere in a function (and not
declared ``global``) is local for the whole function, so its uses say nothing about other code and are
dropped. What stays is rewritten later against the module's imports and definitions.

What cannot be followed statically is recorded as *dynamic*: ``getattr``/``setattr``/``hasattr`` with a
computed name, ``importlib.import_module``, ``__import__``, ``exec``, ``eval``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

__all__ = ["ScopeUses", "absolute_module", "chain_of", "scan_scope"]

_Name = ast.Name
_Attribute = ast.Attribute
_Call = ast.Call
_Constant = ast.Constant
_Load = ast.Load

# Fields that never hold child nodes to visit (names, flags, operators, contexts).
_NOT_CHILDREN = frozenset(
    {
        "ctx",
        "op",
        "ops",
        "id",
        "attr",
        "name",
        "arg",
        "asname",
        "module",
        "level",
        "type_comment",
        "kind",
        "conversion",
        "is_async",
        "simple",
        "names",
        "kwd_attrs",
        "tag",
        "rest",
        "lineno",
        "col_offset",
        "end_lineno",
        "end_col_offset",
    }
)
_FIELDS: dict[type, tuple[str, ...]] = {}

_DYNAMIC_CALLS = {
    "getattr": "getattr() with a computed attribute name",
    "setattr": "setattr() with a computed attribute name",
    "hasattr": "hasattr() with a computed attribute name",
    "delattr": "delattr() with a computed attribute name",
    "__import__": "__import__() (runtime import)",
    "exec": "exec() of generated code",
    "eval": "eval() of generated code",
    "importlib.import_module": "importlib.import_module() (runtime import)",
    "import_module": "import_module() (runtime import)",
}


@dataclass
class ScopeUses:
    """What one scope (a function with its nested functions, or one statement) uses and binds.

    :param uses: chain -> whether it is called somewhere (a called chain may also be passed around).
    :param stores: names the scope binds (locals).
    :param imports: names bound by imports inside the scope -> dotted target.
    """

    uses: dict[str, bool] = field(default_factory=dict)
    stores: set[str] = field(default_factory=set)
    globals: set[str] = field(default_factory=set)
    imports: dict[str, str] = field(default_factory=dict)
    import_nodes: list[ast.Import | ast.ImportFrom] = field(default_factory=list)
    dynamic: list[str] = field(default_factory=list)
    #: the first parameter of a method (``self``/``cls``): ``self.x`` names a member of the class.
    self_name: str | None = None
    #: parameters annotated with a class -> the annotation's dotted chain.
    typed: dict[str, str] = field(default_factory=dict)


def chain_of(node: ast.expr) -> str | None:
    """``a.b.c`` for a Name/Attribute chain rooted at a name, else ``None``."""
    parts: list[str] = []
    while isinstance(node, _Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, _Name):
        return None
    parts.append(node.id)
    parts.reverse()
    return ".".join(parts)


def _fields_of(cls: type) -> tuple[str, ...]:
    fields = tuple(f for f in getattr(cls, "_fields", ()) if f not in _NOT_CHILDREN)
    _FIELDS[cls] = fields
    return fields


def scan_scope(nodes: list[ast.AST], into: ScopeUses, package: str) -> None:
    """Add the uses, stores and dynamic constructs of ``nodes`` (and everything below them) to ``into``.

    :param package: the package relative imports inside the scope are resolved against.
    """
    uses = into.uses
    stores = into.stores
    fields_cache = _FIELDS
    stack: list[object] = list(nodes)
    pop = stack.pop
    push = stack.append
    extend = stack.extend
    while stack:
        node = pop()
        cls = node.__class__
        if cls is _Name:
            if node.ctx.__class__ is _Load:  # type: ignore[attr-defined]
                name = node.id  # type: ignore[attr-defined]
                if name not in uses:
                    uses[name] = False
            else:
                stores.add(node.id)  # type: ignore[attr-defined]
            continue
        if cls is _Attribute:
            chain = chain_of(node)  # type: ignore[arg-type]
            if chain is None:
                push(node.value)  # type: ignore[attr-defined]
            elif node.ctx.__class__ is _Load and chain not in uses:  # type: ignore[attr-defined]
                uses[chain] = False
            continue
        if cls is _Call:
            func = node.func  # type: ignore[attr-defined]
            chain = chain_of(func) if func.__class__ is _Name or func.__class__ is _Attribute else None
            if chain is None:
                push(func)
            else:
                uses[chain] = True
                if chain in _DYNAMIC_CALLS:
                    _note_dynamic(chain, node, into)  # type: ignore[arg-type]
            extend(node.args)  # type: ignore[attr-defined]
            for keyword in node.keywords:  # type: ignore[attr-defined]
                push(keyword.value)
            continue
        if cls is _Constant or node is None:
            continue
        if cls is ast.Global or cls is ast.Nonlocal:
            into.globals.update(node.names)  # type: ignore[attr-defined]
            continue
        if cls is ast.Import:
            into.import_nodes.append(node)  # type: ignore[arg-type]
            for alias in node.names:  # type: ignore[attr-defined]
                if alias.asname:
                    into.imports[alias.asname] = alias.name
                else:
                    root = alias.name.partition(".")[0]
                    into.imports[root] = root
            continue
        if cls is ast.ImportFrom:
            into.import_nodes.append(node)  # type: ignore[arg-type]
            target = absolute_module(node, package)  # type: ignore[arg-type]
            if target is not None:
                for alias in node.names:  # type: ignore[attr-defined]
                    if alias.name != "*":
                        into.imports[alias.asname or alias.name] = f"{target}.{alias.name}" if target else ""
            continue
        if cls is ast.FunctionDef or cls is ast.AsyncFunctionDef or cls is ast.ClassDef:
            stores.add(node.name)  # type: ignore[attr-defined]
        elif cls is ast.ExceptHandler or cls is ast.MatchAs or cls is ast.MatchStar:
            if node.name:  # type: ignore[attr-defined]
                stores.add(node.name)  # type: ignore[attr-defined]
        elif cls is ast.arg:
            stores.add(node.arg)  # type: ignore[attr-defined]
        elif cls is ast.MatchMapping and node.rest:  # type: ignore[attr-defined]
            stores.add(node.rest)  # type: ignore[attr-defined]
        elif cls is ast.alias:
            continue
        for name in fields_cache.get(cls) or _fields_of(cls):
            value = getattr(node, name, None)
            if value is None:
                continue
            if value.__class__ is list:
                extend(value)
            else:
                push(value)


def _note_dynamic(chain: str, call: ast.Call, into: ScopeUses) -> None:
    if chain.endswith("attr") and len(call.args) >= 2 and call.args[1].__class__ is _Constant:
        return  # getattr(x, "name") is an ordinary attribute access written the long way
    into.dynamic.append(f"{_DYNAMIC_CALLS[chain]} at line {call.lineno}")


def absolute_module(node: ast.ImportFrom, package: str) -> str | None:
    """The absolute module a ``from`` import reads from; ``None`` when it climbs above the top package."""
    if not node.level:
        return node.module or ""
    parts = package.split(".") if package else []
    if not parts or node.level - 1 > len(parts) - 1:
        return None
    base = parts[: len(parts) - (node.level - 1)]
    if node.module:
        base = [*base, *node.module.split(".")]
    return ".".join(base)
