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
from collections.abc import Callable
from operator import attrgetter
from typing import Any

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


class ScopeUses:
    """What one scope (a function with its nested functions, or one statement) uses and binds.

    A plain class with slots: one is made per function, and dataclass defaults cost more than the scan.

    :param uses: chain -> whether it is called somewhere (a called chain may also be passed around).
    :param stores: names the scope binds (locals).
    :param imports: names bound by imports inside the scope -> dotted target.
    :param self_name: the first parameter of a method (``self``/``cls``): ``self.x`` names a member of
        the class.
    :param typed: parameters annotated with a class, and locals assigned once from a call of a dotted
        name (``plan = MealPlan(...)``) -> that dotted chain.
    """

    __slots__ = (
        "constructed",
        "dynamic",
        "globals",
        "import_nodes",
        "imports",
        "rebound",
        "self_name",
        "stores",
        "typed",
        "uses",
    )

    def __init__(self) -> None:
        self.uses: dict[str, bool] = {}
        self.stores: set[str] = set()
        self.rebound: set[str] = set()  # names assigned more than once
        self.constructed: dict[str, str] = {}  # ``name = Chain(...)`` -> the called chain
        self.globals: set[str] = set()
        self.imports: dict[str, str] = {}
        self.import_nodes: list[ast.Import | ast.ImportFrom] = []
        self.dynamic: list[str] = []
        self.self_name: str | None = None
        self.typed: dict[str, str] = {}


def chain_of(node: ast.expr) -> str | None:
    """``a.b.c`` for a Name/Attribute chain rooted at a name, else ``None``."""
    parts: list[str] = []
    while node.__class__ is _Attribute:
        parts.append(node.attr)
        node = node.value
    if node.__class__ is not _Name:
        return None
    parts.append(node.id)
    parts.reverse()
    return ".".join(parts)


_SKIP, _ONE, _MANY, _SPECIAL = 0, 1, 2, 3
_SPECIAL_TYPES = {
    ast.Global,
    ast.Nonlocal,
    ast.Import,
    ast.ImportFrom,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.ExceptHandler,
    ast.MatchAs,
    ast.MatchStar,
    ast.MatchMapping,
    ast.arg,
    ast.Assign,
}
_HOW: dict[type, tuple[int, Callable[[Any], Any] | None]] = {}


def _how(cls: type) -> tuple[int, Callable[[Any], Any] | None]:
    """How to visit a node class: skip it, push its one child field, or all of its child fields."""
    fields = tuple(f for f in getattr(cls, "_fields", ()) if f not in _NOT_CHILDREN)
    how: tuple[int, Callable[[Any], Any] | None]
    if cls in _SPECIAL_TYPES:
        # A getter that always returns a tuple (of no fields, one field twice dropped below, or many).
        if not fields:
            how = (_SPECIAL, lambda node: ())
        elif len(fields) == 1:
            one = attrgetter(fields[0])
            how = (_SPECIAL, lambda node: (one(node),))
        else:
            how = (_SPECIAL, attrgetter(*fields))
    elif cls is _Constant or cls is ast.alias or not fields:
        how = (_SKIP, None)
    elif len(fields) == 1:
        how = (_ONE, attrgetter(fields[0]))
    else:
        how = (_MANY, attrgetter(*fields))
    _HOW[cls] = how
    return how


def scan_scope(nodes: list[ast.AST], into: ScopeUses, package: str) -> None:
    """Add the uses, stores and dynamic constructs of ``nodes`` (and everything below them) to ``into``.

    :param package: the package relative imports inside the scope are resolved against.
    """
    uses = into.uses
    stores = into.stores
    how_of = _HOW
    stack: list[Any] = list(nodes)
    pop = stack.pop
    push = stack.append
    extend = stack.extend
    while stack:
        node = pop()
        cls = node.__class__
        if cls is _Name:
            if node.ctx.__class__ is _Load:
                name = node.id
                if name not in uses:
                    uses[name] = False
            else:
                name = node.id
                if name in stores:
                    into.rebound.add(name)
                else:
                    stores.add(name)
            continue
        if cls is _Attribute:
            value = node.value
            # ``name.attr`` is by far the most common chain: no list needed.
            chain = f"{value.id}.{node.attr}" if value.__class__ is _Name else chain_of(node)
            if chain is None:
                push(node.value)
            elif node.ctx.__class__ is _Load and chain not in uses:
                uses[chain] = False
            continue
        if cls is _Call:
            func = node.func
            func_cls = func.__class__
            if func_cls is _Name:
                chain = func.id
            elif func_cls is _Attribute:
                value = func.value
                chain = f"{value.id}.{func.attr}" if value.__class__ is _Name else chain_of(func)
            else:
                chain = None
            if chain is None:
                push(func)
            else:
                uses[chain] = True
                if chain in _DYNAMIC_CALLS:
                    _note_dynamic(chain, node, into)
            extend(node.args)
            for keyword in node.keywords:
                push(keyword.value)
            continue
        if cls is _Constant:
            continue
        how = how_of.get(cls)
        if how is None:
            how = _how(cls)
        code, getter = how
        if code == _ONE:
            value = getter(node)  # type: ignore[misc]
            if value is not None:
                if value.__class__ is list:
                    extend(value)
                else:
                    push(value)
            continue
        if code == _SKIP:
            continue
        if code == _SPECIAL and not _special(node, cls, into, package):
            continue
        for value in getter(node):  # type: ignore[misc]
            if value is not None:
                if value.__class__ is list:
                    extend(value)
                else:
                    push(value)


def _special(node: Any, cls: type, into: ScopeUses, package: str) -> bool:
    """Bindings and imports; returns whether to visit the node's children too."""
    stores = into.stores
    if cls is ast.Global or cls is ast.Nonlocal:
        into.globals.update(node.names)
        return False
    if cls is ast.Import:
        into.import_nodes.append(node)
        for alias in node.names:
            if alias.asname:
                into.imports[alias.asname] = alias.name
            else:
                root = alias.name.partition(".")[0]
                into.imports[root] = root
        return False
    if cls is ast.ImportFrom:
        into.import_nodes.append(node)
        target = absolute_module(node, package)
        if target is not None:
            for alias in node.names:
                if alias.name != "*":
                    into.imports[alias.asname or alias.name] = f"{target}.{alias.name}" if target else ""
        return False
    if cls is ast.Assign:
        targets = node.targets
        value = node.value
        if len(targets) == 1 and targets[0].__class__ is _Name and value.__class__ is _Call:
            chain = chain_of(value.func)
            if chain is not None:
                into.constructed[targets[0].id] = chain
        return True
    if cls is ast.arg:
        stores.add(node.arg)
    elif cls is ast.MatchMapping:
        if node.rest:
            stores.add(node.rest)
    elif node.name:  # functions, classes, except handlers, match captures
        stores.add(node.name)
    return True


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
