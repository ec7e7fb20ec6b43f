"""Code mentions in prose: which project symbol a name like ``Pantry.add()`` means, and where it lives.

Pure: built from facts and the plan. The Sphinx adapter turns each mention into a cross-reference (to the
Python-domain object when autodoc or autoapi documents it, else to the anchor this index names) and counts
what resolved.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass

from sphinxcontrib_llmdocs.extract.facts import ModuleFacts, ProjectFacts, SymbolFacts
from sphinxcontrib_llmdocs.plan.model import PagePlan

__all__ = [
    "MENTION_ROLE",
    "STATIC_REF_ROLE",
    "Location",
    "SymbolIndex",
    "is_mention",
    "mention_markup",
    "module_label",
]

#: The MyST role the renderer writes for a code mention; registered by the Sphinx adapter.
MENTION_ROLE = "llmdocs-ref"
#: The same cross-reference for names the renderer itself writes (bases, subclasses): not counted.
STATIC_REF_ROLE = "llmdocs-xref"

_DOTTED = re.compile(r"^[^\W\d]\w*(\.[^\W\d]\w*)*$")
#: Words that are code but name nothing worth a link.
_NOT_NAMES = frozenset(keyword.kwlist) | {"self", "cls"}


@dataclass(frozen=True)
class Location:
    """Where a project name is documented: the page and the label of its section (or of the page)."""

    docname: str
    label: str


def _bare(text: str) -> str:
    text = text.strip()
    return text[:-2] if text.endswith("()") else text


def is_mention(text: str) -> bool:
    """Whether code ``text`` reads as the name of something (``pathlib.Path``, ``Pantry.add()``)."""
    bare = _bare(text)
    return bool(_DOTTED.match(bare)) and bare not in _NOT_NAMES


def module_label(dotted: str) -> str:
    """The label of a module's (or package's) page."""
    return f"llmdocs-{dotted}".lower()


def mention_markup(text: str, target: str | None, *, counted: bool = True) -> str:
    """The MyST markup of a mention of ``text``; ``target`` is the full dotted name when known.

    :param counted: whether the mention comes from prose (and counts in the grounding report).
    """
    role = MENTION_ROLE if counted else STATIC_REF_ROLE
    if target is None or target == _bare(text):
        return f"{{{role}}}`{text.strip()}`"
    return f"{{{role}}}`{text.strip()} <{target}>`"


class SymbolIndex:
    """Every documented module and symbol of the project, by full dotted name and by unique suffix."""

    def __init__(self, facts: ProjectFacts, plan: PagePlan) -> None:
        self._facts = facts
        self._locations: dict[str, Location] = {}
        self._labelled: dict[str, str] = {}
        self._by_suffix: dict[str, list[str]] = {}
        used: dict[str, str] = {}
        for module in facts.modules:
            page = plan.page_for(module.name)
            if page is None:
                continue
            page_label = module_label(module.name)
            self._add(module.name, Location(page.docname, page_label))
            public = {s.qualname for s in module.public_symbols()}
            for symbol in module.symbols:
                full = symbol.qualname
                label = page_label
                if symbol.qualname in public:
                    label = self._symbol_label(full, used)
                    self._labelled[full] = label
                self._add(full, Location(page.docname, label))
                for member in symbol.members:
                    self._add(member.qualname, Location(page.docname, label))

    @staticmethod
    def _symbol_label(full: str, used: dict[str, str]) -> str:
        # Labels are case-insensitive in docutils: ``Recipe`` and ``recipe`` would collide.
        label = f"llmdocs-{full}".lower()
        n = 2
        while label in used and used[label] != full:
            label = f"llmdocs-{full}-{n}".lower()
            n += 1
        used[label] = full
        return label

    def _add(self, full: str, location: Location) -> None:
        self._locations[full] = location
        parts = full.split(".")
        for i in range(len(parts)):
            self._by_suffix.setdefault(".".join(parts[i:]), []).append(full)

    def label(self, full: str) -> str | None:
        """The anchor label of a public top-level symbol's section."""
        return self._labelled.get(full)

    def locate(self, full: str) -> Location | None:
        """Where ``full`` is documented among the generated pages."""
        return self._locations.get(full)

    def resolve(self, text: str, module: ModuleFacts | None = None) -> str | None:
        """The full dotted name ``text`` means, read from ``module``; ``None`` when unknown or ambiguous.

        Order: the name as written, then inside ``module``, then a unique match anywhere in the project,
        preferring ``module`` and the modules it imports when several match.
        """
        if not is_mention(text):
            return None
        name = _bare(text)
        if name in self._locations:
            return name
        if module is not None and f"{module.name}.{name}" in self._locations:
            return f"{module.name}.{name}"
        candidates = self._by_suffix.get(name, [])
        if len(candidates) == 1:
            return candidates[0]
        if module is not None and candidates:
            near = {module.name, *module.internal_imports}
            close = [c for c in candidates if any(c.startswith(f"{m}.") for m in near)]
            if len(close) == 1:
                return close[0]
        return None

    def symbol(self, full: str) -> SymbolFacts | None:
        """The facts of top-level symbol ``full``, if it is one."""
        module_name = full.rpartition(".")[0]
        if not self._facts.has_module(module_name):
            return None
        return next((s for s in self._facts.module(module_name).symbols if s.qualname == full), None)
