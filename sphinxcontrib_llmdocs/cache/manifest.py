"""The prompt manifest: what each prompt of the last build was, so the next build can say why one re-ran.

One small JSON file next to the response cache (``<doctreedir>/llmdocs/prompts.json``): per prompt id its
cache key, model, template version, language and hashes of the system and user text. Comparing it with the
current build's records names the reason a prompt was sent again (new prompt, model changed, language
changed, evidence changed, answer missing from the cache).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from sphinxcontrib_llmdocs.cache.store import cache_key
from sphinxcontrib_llmdocs.files import write_if_changed
from sphinxcontrib_llmdocs.llm.protocol import CompletionRequest
from sphinxcontrib_llmdocs.plan.model import PagePlan, PromptSpec

__all__ = [
    "MANIFEST_VERSION",
    "PromptRecord",
    "explain_reruns",
    "manifest_text",
    "read_manifest",
    "record_of",
    "records_for_run",
    "write_manifest",
]

#: Layout version of the manifest file; another version reads as "no previous build".
MANIFEST_VERSION = 1


@dataclass(frozen=True)
class PromptRecord:
    """The identity of one prompt as sent: its cache key and the parts that make it up."""

    prompt_id: str
    kind: str
    key: str
    model: str
    template_version: int
    language: str
    system_sha: str
    user_sha: str


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_of(request: CompletionRequest, language: str) -> PromptRecord:
    """The record of ``request`` (built for ``language``)."""
    return PromptRecord(
        prompt_id=request.prompt_id,
        kind=request.kind,
        key=cache_key(request),
        model=request.model,
        template_version=request.template_version,
        language=language,
        system_sha=_sha(request.system),
        user_sha=_sha(request.user),
    )


def read_manifest(path: Path) -> dict[str, PromptRecord]:
    """The records of the previous build; empty when there is none or it cannot be read."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != MANIFEST_VERSION:
            return {}
        return {pid: PromptRecord(**fields) for pid, fields in data["prompts"].items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def manifest_text(records: Iterable[PromptRecord]) -> str:
    """The manifest file's content: stable, sorted, no paths or timestamps."""
    prompts = {r.prompt_id: asdict(r) for r in sorted(records, key=lambda r: r.prompt_id)}
    return json.dumps({"version": MANIFEST_VERSION, "prompts": prompts}, indent=1, sort_keys=True) + "\n"


def write_manifest(path: Path, records: Iterable[PromptRecord]) -> None:
    """Write the manifest (atomically; untouched when its content is the same)."""
    write_if_changed(path, manifest_text(records))


def explain_reruns(
    rerun: Iterable[str],
    current: Mapping[str, PromptRecord],
    previous: Mapping[str, PromptRecord],
    deps: Mapping[str, Sequence[str]],
) -> dict[str, str]:
    """Why each prompt in ``rerun`` had to be answered again, in words, by prompt id.

    :param rerun: ids of the prompts this build did not find in the cache.
    :param deps: the prompts each prompt's evidence includes (the plan's prompt graph).
    """
    changed_keys = {
        pid for pid, rec in current.items() if pid not in previous or previous[pid].key != rec.key
    }
    reasons: dict[str, str] = {}
    for pid in sorted(set(rerun)):
        cur, old = current.get(pid), previous.get(pid)
        if cur is None:
            reasons[pid] = "not in the plan"
        elif old is None:
            reasons[pid] = "new prompt (no earlier build asked it)"
        elif old.key == cur.key:
            reasons[pid] = "unchanged prompt, but its answer was not in the cache (deleted or unreadable)"
        elif old.model != cur.model:
            reasons[pid] = f"model changed ({old.model} -> {cur.model})"
        elif old.template_version != cur.template_version:
            reasons[pid] = (
                f"prompt template version changed ({old.template_version} -> {cur.template_version})"
            )
        elif old.language != cur.language:
            reasons[pid] = f"language changed ({old.language} -> {cur.language})"
        elif old.system_sha != cur.system_sha:
            reasons[pid] = "system prompt changed"
        elif old.user_sha != cur.user_sha:
            reasons[pid] = "evidence changed"
        else:
            reasons[pid] = "generation parameters changed"
    # Name the upstream prompts whose new answers changed this one's evidence, when there are any.
    for pid, reason in reasons.items():
        if reason == "evidence changed":
            upstream = [d for d in deps.get(pid, ()) if d in changed_keys]
            if upstream:
                reasons[pid] = f"evidence changed (after {', '.join(upstream)} changed)"
    return reasons


def records_for_run(
    plan: PagePlan,
    answers: Mapping[str, Mapping[str, object]],
    build: Callable[[PromptSpec, Mapping[str, Mapping[str, object]]], CompletionRequest],
    language: str,
) -> dict[str, PromptRecord]:
    """The record of every prompt of a finished run, rebuilt from its answers with ``build``.

    Requests are deterministic in their inputs, so a request rebuilt from the run's answers is the one the
    scheduler sent (or found in the cache).
    """
    records: dict[str, PromptRecord] = {}
    for spec in plan.prompts:
        deps = {d: answers[d] for d in spec.deps if d in answers}
        records[spec.id] = record_of(build(spec, deps), language)
    return records
