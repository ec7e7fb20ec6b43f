"""Make model prose inert: paragraphs, lists, emphasis, inline code and http(s) links survive; nothing else.

Model output is untrusted. Everything that MyST would turn into markup beyond that set (raw HTML, directives,
roles, headings, fences, tables, images, block quotes, targets, comments) is escaped so it renders as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["SanitizedProse", "escape_inline", "sanitize_prose"]

_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)
_LINK = re.compile(r"(!?)\[([^\]\n]*)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
_BLOCK_START = re.compile(r"^(\s{0,3})(#|```|~~~|:::|\$\$|\+\+\+|%|\||>|\(.*\)=\s*$|\[\^?[^\]]*\]:)")
_RULE_OR_SETEXT = re.compile(r"^\s{0,3}([-=*_])(\s*\1){2,}\s*$|^\s{0,3}=+\s*$")
_SPECIAL = re.compile(r"([\\<>{}\[\]!$|])")
#: Longest prose field we pass on; longer answers are cut (and reported).
MAX_PROSE_CHARS = 20_000


@dataclass(frozen=True)
class SanitizedProse:
    """Safe markdown and the list of things that had to be neutralised."""

    text: str
    problems: tuple[str, ...]


def escape_inline(text: str) -> str:
    """Escape ``text`` so MyST renders it literally inside a paragraph (no code spans kept)."""
    return _SPECIAL.sub(r"\\\1", text).replace("`", "\\`").replace("*", "\\*").replace("_", "\\_")


_HTML = re.compile(r"<[A-Za-z/!?]")
_ROLE = re.compile(r"\{[^{}\s]+\}`")


def _escape_outside_code(line: str, problems: list[str]) -> str:
    if _ROLE.search(line):
        problems.append("escaped a role")
    out: list[str] = []
    pos = 0
    for match in _CODE_SPAN.finditer(line):
        out.append(_escape_text(line[pos : match.start()], problems))
        out.append(match.group(0))
        pos = match.end()
    out.append(_escape_text(line[pos:], problems))
    return "".join(out)


def _escape_text(text: str, problems: list[str]) -> str:
    if _HTML.search(text):
        problems.append("escaped raw HTML")
    pieces: list[str] = []
    pos = 0
    for match in _LINK.finditer(text):
        pieces.append(_SPECIAL.sub(r"\\\1", text[pos : match.start()]))
        bang, label, url = match.groups()
        safe_label = _SPECIAL.sub(r"\\\1", label)
        if not bang and re.match(r"^https?://[^\s<>\"']+$", url, re.IGNORECASE):
            pieces.append(f"[{safe_label}]({url})")
        else:
            problems.append(f"removed {'image' if bang else 'link'} to {url[:80]!r}")
            pieces.append(safe_label)
        pos = match.end()
    pieces.append(_SPECIAL.sub(r"\\\1", text[pos:]))
    return "".join(pieces)


def sanitize_prose(text: str) -> SanitizedProse:
    """Neutralise everything in ``text`` except paragraphs, lists, emphasis, inline code and http(s) links."""
    problems: list[str] = []
    if len(text) > MAX_PROSE_CHARS:
        problems.append(f"answer cut from {len(text)} to {MAX_PROSE_CHARS} characters")
        text = text[:MAX_PROSE_CHARS]
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    lines: list[str] = []
    for line in text.split("\n"):
        if _RULE_OR_SETEXT.match(line):
            problems.append("escaped a rule or heading underline")
            lines.append("\\" + line.strip())
            continue
        block = _BLOCK_START.match(line)
        if block:
            problems.append(f"escaped block markup {block.group(2)[:10]!r}")
            indent, rest = block.group(1), line[block.end(1) :]
            lines.append(indent + "\\" + _escape_outside_code(rest, problems))
            continue
        if (
            line.startswith("    ")
            and line.lstrip()[:2] not in {"- ", "* ", "+ "}
            and not re.match(r"^\s+\d+[.)]\s", line)
        ):
            line = line.lstrip()
        lines.append(_escape_outside_code(line, problems))
    # Dedupe problems, keep first-seen order.
    seen: dict[str, None] = dict.fromkeys(problems)
    return SanitizedProse("\n".join(lines).strip(), tuple(seen))
