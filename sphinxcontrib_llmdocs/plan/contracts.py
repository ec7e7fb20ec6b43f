"""Output contracts: what a valid answer to each prompt kind is, and a checker that says precisely why not.

Every prompt kind answers one JSON object matching its pydantic schema (:data:`~.evidence.SCHEMAS`). On top
of the schema: prose fields (:data:`~sphinxcontrib_llmdocs.llm.schemas.PROSE_FIELDS`) hold Markdown
paragraphs and lists only (no headings, fences, raw HTML, directives, roles, tables, images, block quotes,
math blocks or targets), the overview of a symbol is not empty, and an analysis answers exactly the symbols it
was asked about. :func:`check_answer` raises :class:`~sphinxcontrib_llmdocs.errors.ContractViolationError`
whose message names the field, the line and the offending text, so a retry can tell the model what to fix.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from pydantic import ValidationError

from sphinxcontrib_llmdocs.errors import ContractViolationError, ProseContractViolationError
from sphinxcontrib_llmdocs.llm.protocol import CompletionRequest
from sphinxcontrib_llmdocs.llm.schemas import PROSE_FIELDS

__all__ = ["check_answer", "prose_violations"]

_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_LINE_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^\s{0,3}#{1,6}(\s|$)"), "a heading"),
    (re.compile(r"^\s{0,3}(```|~~~)"), "a code fence"),
    (re.compile(r"^\s{0,3}:::"), "a directive fence"),
    (re.compile(r"^\s*\.\.\s+[\w:-]+::"), "a directive"),
    (re.compile(r"^\s*\.\.\s+_[^:]+:"), "a link target"),
    (re.compile(r"^\s{0,3}>"), "a block quote"),
    (re.compile(r"^\s{0,3}\|.*\|\s*$"), "a table row"),
    (re.compile(r"^\s{0,3}(=+|-{3,}|\*{3,}|_{3,})\s*$"), "a heading underline or rule"),
    (re.compile(r"^\s{0,3}\$\$"), "a math block"),
    (re.compile(r"^\s{0,3}\([^)]*\)=\s*$"), "a MyST target"),
    (re.compile(r"^\s{0,3}\[\^?[^\]]*\]:"), "a link definition"),
)
_ROLE = re.compile(r"\{[\w:.-]+\}`")
_INLINE_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"<[A-Za-z/!?][^>]*>?"), "raw HTML"),
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), "an image"),
    (re.compile(r"(?<!!)\[[^\]]*\]\((?!https?://)[^)]*\)"), "a link that is not http(s)"),
)


def prose_violations(text: str) -> list[str]:
    """What in ``text`` is more than paragraphs and lists, as ``line N: <what> ('<text>')`` strings."""
    found: list[str] = []
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        for pattern, what in _LINE_RULES:
            if pattern.search(line):
                found.append(f"line {number}: {what} ({line.strip()[:60]!r})")
                break
        role = _ROLE.search(_keep_role_contents(line))
        if role:
            found.append(f"line {number}: a role ({role.group(0)!r})")
        outside = _CODE_SPAN.sub("", line)
        for pattern, what in _INLINE_RULES:
            match = pattern.search(outside)
            if match:
                found.append(f"line {number}: {what} ({match.group(0)[:60]!r})")
    return found


def _keep_role_contents(line: str) -> str:
    """``line`` without its code spans, except those right after ``}`` (a role's content)."""

    def keep(match: re.Match[str]) -> str:
        start = match.start()
        return match.group(0) if start and line[start - 1] == "}" else ""

    return _CODE_SPAN.sub(keep, line)


def check_answer(request: CompletionRequest, text: str, *, check_prose: bool = True) -> dict[str, object]:
    """Check ``text`` against the output contract of ``request`` and return the parsed answer.

    :param check_prose: also check the prose rules (off for the offline writer, whose prose is the user's
        own docstrings, sanitised at render time like everything else).
    :raises ContractViolationError: naming the prompt and what is wrong, precisely;
        :class:`~sphinxcontrib_llmdocs.errors.ProseContractViolationError` (carrying the parsed answer)
        when the only problems are in the prose.
    """
    prompt = request.prompt_id
    body = text.strip()
    if body.startswith("```"):
        # Models sometimes fence JSON despite instructions; the fence carries no content.
        body = body.strip("`").removeprefix("json").strip()
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        raise ContractViolationError(
            f"{prompt}: answer is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from exc
    if not isinstance(data, dict):
        raise ContractViolationError(f"{prompt}: answer is a JSON {type(data).__name__}, not an object")
    try:
        parsed = request.schema.model_validate(data).model_dump()
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(p) for p in error['loc']) or 'answer'}: {error['msg']}" for error in exc.errors()
        ]
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise ContractViolationError(
            f"{prompt}: answer does not match schema {request.schema.__name__}: "
            + "; ".join(problems[:3])
            + more
        ) from exc
    problems = _content_problems(request, parsed)
    prose = _prose_of_answer(request, parsed) if check_prose else []
    if problems or prose:
        listed = [*problems, *prose]
        more = f" (and {len(listed) - 5} more)" if len(listed) > 5 else ""
        message = f"{prompt}: " + "; ".join(listed[:5]) + more
        if problems:
            raise ContractViolationError(message)
        raise ProseContractViolationError(message, answer=parsed)
    return parsed


def _prose_of_answer(request: CompletionRequest, parsed: Mapping[str, object]) -> list[str]:
    if request.kind != "analysis":
        return _prose_problems(parsed, "")
    items = parsed.get("symbols")
    answered = [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []
    return [p for i, item in enumerate(answered) for p in _prose_problems(item, f"symbols[{i}].")]


def _content_problems(request: CompletionRequest, parsed: Mapping[str, object]) -> list[str]:
    problems: list[str] = []
    if request.kind == "analysis":
        items = parsed.get("symbols")
        answered = [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []
        expected = _expected_symbols(request)
        names = [str(i.get("name")) for i in answered]
        if expected is not None:
            missing = [n for n in expected if n not in names]
            extra = [n for n in names if n not in expected]
            if missing:
                problems.append(f"symbols: no entry for {', '.join(missing)}")
            if extra:
                problems.append(f"symbols: entries for symbols not asked about: {', '.join(extra)}")
            kinds = expected
            for i, item in enumerate(answered):
                want = kinds.get(str(item.get("name")))
                if want is not None and item.get("kind") != want:
                    problems.append(f"symbols[{i}].kind: is {item.get('kind')!r}, the evidence says {want!r}")
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            problems.append(f"symbols: more than one entry for {', '.join(duplicates)}")
        for i, item in enumerate(answered):
            if not str(item.get("overview", "")).strip():
                problems.append(f"symbols[{i}].overview: is empty")
    else:
        for key in ("summary", "overview"):
            if key in parsed and not str(parsed[key]).strip():
                problems.append(f"{key}: is empty")
    return problems


def _prose_problems(item: Mapping[str, object], prefix: str) -> list[str]:
    problems: list[str] = []
    for key, value in item.items():
        if key in PROSE_FIELDS and isinstance(value, str):
            problems.extend(
                f"{prefix}{key}: {v}; only paragraphs and lists are allowed" for v in prose_violations(value)
            )
    return problems


def _expected_symbols(request: CompletionRequest) -> dict[str, str] | None:
    """The symbols (name to schema kind) the request's evidence asks about; ``None`` if it does not say."""
    target = request.evidence.get("target")
    if not isinstance(target, list):
        return None
    return {
        str(t["name"]): str(t.get("kind"))
        for t in target
        if isinstance(t, dict) and isinstance(t.get("name"), str)
    }
