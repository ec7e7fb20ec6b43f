"""``cache stats DOCS_DIR`` and ``cache prune DOCS_DIR``: look after the answer stores of a docs folder.

Both read the docs folder's ``conf.py`` the way Sphinx does (executed with its own folder as working
directory), without starting Sphinx. The local store lives under the doctree directory, which depends on how
``sphinx-build`` was called: it is looked for at ``_build/doctrees`` (``make html``, ``sphinx-build -M``) and
``_build/<builder>/.doctrees`` (``sphinx-build -b``), or named with ``--doctree-dir``.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sphinxcontrib_llmdocs.cache.store import CacheEntry, ResponseCache, cache_key, iter_entries
from sphinxcontrib_llmdocs.config import SETTINGS, LlmdocsConfig
from sphinxcontrib_llmdocs.errors import CacheEntryError, ContractViolationError, LlmdocsError
from sphinxcontrib_llmdocs.extract import extract_project
from sphinxcontrib_llmdocs.llm.offline import write_offline_answer
from sphinxcontrib_llmdocs.plan import EvidenceBuilder, PagePlan, PromptSpec, plan_project
from sphinxcontrib_llmdocs.schedule.scheduler import parse_answer

__all__ = [
    "DocsSetup",
    "PruneResult",
    "StoreStats",
    "find_doctree_dirs",
    "load_docs",
    "prune_stores",
    "referenced_keys",
    "store_stats",
]

#: Age after which a temporary entry file is taken to be left over from a killed build.
_TMP_GRACE_SECONDS = 600


@dataclass(frozen=True)
class DocsSetup:
    """A docs folder as the cache commands see it: its settings and its answer stores."""

    confdir: Path
    project: str
    config: LlmdocsConfig
    local_stores: tuple[Path, ...]

    @property
    def stores(self) -> tuple[Path, ...]:
        """Every store, the committed folder first."""
        committed = (self.config.cache_dir,) if self.config.cache_dir is not None else ()
        return (*committed, *self.local_stores)


def find_doctree_dirs(docs_dir: Path) -> list[Path]:
    """Doctree folders under ``docs_dir/_build`` that hold a response cache."""
    build = docs_dir / "_build"
    candidates = [build / "doctrees", *sorted(build.glob("*/.doctrees"))]
    return [c for c in candidates if (c / "llmdocs" / "cache").is_dir()]


def load_docs(docs_dir: Path, doctree_dir: Path | None = None) -> DocsSetup:
    """Read ``docs_dir/conf.py`` and find the stores.

    :raises LlmdocsError: when there is no ``conf.py`` or it cannot be executed.
    :raises InvalidConfigError: when an ``llmdocs_*`` setting is bad (the message names it).
    """
    docs_dir = docs_dir.resolve()
    conf = docs_dir / "conf.py"
    if not conf.is_file():
        raise LlmdocsError(f"{docs_dir}: no conf.py in this folder")
    namespace: dict[str, object] = {"__file__": str(conf), "tags": _NoTags()}
    previous = Path.cwd()
    os.chdir(docs_dir)
    try:
        code = compile(conf.read_bytes(), str(conf), "exec")
        exec(code, namespace)  # the same as Sphinx does with conf.py
    except Exception as exc:
        raise LlmdocsError(f"{conf}: cannot execute: {type(exc).__name__}: {exc}") from exc
    finally:
        os.chdir(previous)
    values = {s.name: namespace[s.name] for s in SETTINGS if s.name in namespace}
    language = namespace.get("language")
    config = LlmdocsConfig.from_values(
        values, docs_dir, sphinx_language=language if isinstance(language, str) else None
    )
    if doctree_dir is not None:
        local: tuple[Path, ...] = (doctree_dir / "llmdocs" / "cache",)
    else:
        local = tuple(d / "llmdocs" / "cache" for d in find_doctree_dirs(docs_dir))
    project = namespace.get("project")
    return DocsSetup(docs_dir, str(project) if project else "Project", config, local)


class _NoTags:
    """``tags`` as conf.py sees it during ``sphinx-build``; no tag is set here."""

    def has(self, name: str) -> bool:
        return False

    def __contains__(self, name: str) -> bool:
        return False


@dataclass
class StoreStats:
    """Entries, bytes, and counts by prompt kind and by model, of one store."""

    root: Path
    entries: int = 0
    size: int = 0
    invalid: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    by_model: Counter[str] = field(default_factory=Counter)

    def as_json(self) -> dict[str, object]:
        """The figures as JSON-ready data."""
        return {
            "root": str(self.root),
            "entries": self.entries,
            "bytes": self.size,
            "invalid": self.invalid,
            "by_kind": dict(sorted(self.by_kind.items())),
            "by_model": dict(sorted(self.by_model.items())),
        }


def store_stats(root: Path) -> StoreStats:
    """Count the entries of the store at ``root``."""
    stats = StoreStats(root)
    for entry in iter_entries(root):
        stats.entries += 1
        stats.size += entry.size
        if entry.valid:
            stats.by_kind[entry.kind] += 1
            stats.by_model[entry.model] += 1
        else:
            stats.invalid += 1
    return stats


def _prompt_order(plan: PagePlan) -> list[PromptSpec]:
    """The prompts with every prompt after the prompts it depends on."""
    remaining = {p.id: set(p.deps) for p in plan.prompts}
    ordered: list[PromptSpec] = []
    done: set[str] = set()
    while remaining:
        ready = [pid for pid, deps in remaining.items() if deps <= done]
        if not ready:  # a malformed graph; planning guarantees it does not happen
            ready = list(remaining)
        for pid in ready:
            ordered.append(plan.prompt(pid))
            done.add(pid)
            del remaining[pid]
    return ordered


def referenced_keys(setup: DocsSetup) -> set[str]:
    """The cache keys the current plan asks for, walking the prompt graph over the stored answers.

    A prompt's request includes the answers of the prompts it depends on; where a stored answer is missing
    the offline writer's answer stands in, as it would in an offline or cache-only build.
    """
    facts = extract_project(setup.config.packages, setup.config.exclude)
    plan = plan_project(facts, setup.config, setup.project)
    evidence = EvidenceBuilder(
        facts, plan, language=setup.config.language, evidence_tokens=setup.config.evidence_tokens
    )
    readers = [ResponseCache(root) for root in setup.stores]
    answers: dict[str, Mapping[str, object]] = {}
    keys: set[str] = set()
    for spec in _prompt_order(plan):
        deps = {d: answers[d] for d in spec.deps if d in answers}
        request = evidence(spec, deps)
        key = cache_key(request)
        keys.add(key)
        answer: Mapping[str, object] | None = None
        for reader in readers:
            try:
                cached = reader.get(key)
                if cached is not None:
                    answer = parse_answer(request, cached)
                    break
            except (CacheEntryError, ContractViolationError):
                continue
        answers[spec.id] = answer if answer is not None else write_offline_answer(request)
    return keys


@dataclass
class PruneResult:
    """What pruning removed (or would remove) and what it kept."""

    removed: list[CacheEntry] = field(default_factory=list)
    temporary: list[Path] = field(default_factory=list)
    kept: int = 0

    @property
    def removed_bytes(self) -> int:
        """Bytes of the removed entries."""
        return sum(e.size for e in self.removed)


def prune_stores(setup: DocsSetup, *, dry_run: bool = False) -> PruneResult:
    """Remove entries the current plan does not reference, unreadable entries, and leftover temporary files.

    :param dry_run: only say what would be removed.
    """
    keep = referenced_keys(setup)
    result = PruneResult()
    for root in setup.stores:
        for entry in iter_entries(root):
            if entry.valid and entry.key in keep:
                result.kept += 1
                continue
            result.removed.append(entry)
            if not dry_run:
                entry.path.unlink(missing_ok=True)
        if root.is_dir():
            # Left behind by a build killed while writing; never read. A young one may belong to a build
            # that is writing right now, so it stays.
            for tmp in sorted(root.glob("*/.*.tmp")):
                if time.time() - tmp.stat().st_mtime < _TMP_GRACE_SECONDS:
                    continue
                result.temporary.append(tmp)
                if not dry_run:
                    tmp.unlink(missing_ok=True)
    return result
