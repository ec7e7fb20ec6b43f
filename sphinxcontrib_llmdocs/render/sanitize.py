"""Make model prose inert: paragraphs, lists, emphasis, inline code and http(s) links survive; nothing else.

Model output is untrusted. The text is parsed into tokens with markdown-it, configured with the block and
inline syntaxes MyST-Parser understands (directives, roles, targets, comments, fences, tables, math,
footnotes, front matter...). Only the allowed tokens are kept and the page markdown is *re-emitted* from
them, with every piece of text escaped, so no character the model wrote can start markup of its own.
Everything else becomes escaped text (raw HTML, directives, code fences, headings: their words stay
readable, inert) or is dropped (rules, images, links to anything but ``http(s)``); each is reported as a
problem so the build can warn about the prompt that misbehaved.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.colon_fence import colon_fence_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin
from mdit_py_plugins.myst_blocks import myst_block_plugin
from mdit_py_plugins.myst_role import myst_role_plugin

__all__ = ["MAX_PROSE_CHARS", "SanitizedProse", "escape_inline", "plain_text", "sanitize_prose"]

#: Longest prose field we pass on; longer answers are cut (and reported). A page section longer than this
#: is not prose a reader wants, and it bounds the parser's work on a hostile 1 MB answer.
MAX_PROSE_CHARS = 20_000

#: Replaces a code span in prose: returns the markdown to emit for its content, or ``None`` for plain code.
CodeHook = Callable[[str], str | None]

_SPECIAL = re.compile(r"([\\<>{}\[\]!$|])")
#: Characters escaped wherever they appear in text: each can open inline markup in MyST or one of its
#: optional extensions (roles, substitutions, attributes, math, HTML, entities, links, emphasis, tables).
_ALWAYS = re.compile(r"([\\`*_\[\]{}<>#|~$!&^])")
_LINE_START_PUNCT = re.compile(r"^([!-/:-@\[-`{-~])")
_LINE_START_NUMBER = re.compile(r"^(\d+)([.)])")
_REST_DIRECTIVE = re.compile(r"^\\?\.\.\s+[\w:\\-]+\\?:\\?:")
_URL = re.compile(r"^https?://[^\s<>\"'`\\]+$", re.IGNORECASE)


@dataclass(frozen=True)
class SanitizedProse:
    """Safe markdown and the list of things that had to be neutralised."""

    text: str
    problems: tuple[str, ...]


def escape_inline(text: str) -> str:
    """Escape ``text`` so MyST renders it literally inside a paragraph (no code spans kept)."""
    return _SPECIAL.sub(r"\\\1", text).replace("`", "\\`").replace("*", "\\*").replace("_", "\\_")


def _parser() -> MarkdownIt:
    # Everything MyST (with any of its optional syntaxes switched on) might see in the text, so each
    # construct arrives as its own token and is reported by name.
    md = (
        MarkdownIt("commonmark")
        .enable("table")
        .use(front_matter_plugin)
        .use(myst_block_plugin)
        .use(myst_role_plugin)
        .use(footnote_plugin)
        .use(dollarmath_plugin)
        .use(colon_fence_plugin)
    )
    # Let every link through the parser: the decision (and the report) is ours, below.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


_MD = _parser()

_BLOCK_NAMES = {
    "heading_open": "a heading was turned into a paragraph",
    "fence": "a code fence was shown as text",
    "code_block": "an indented code block was shown as text",
    "colon_fence": "a colon fence (MyST directive) was shown as text",
    "html_block": "raw HTML was shown as text",
    "blockquote_open": "a block quote was flattened",
    "hr": "a horizontal rule was removed",
    "table_open": "a table was shown as text",
    "front_matter": "front matter was shown as text",
    "myst_target": "a MyST target was shown as text",
    "myst_line_comment": "a MyST comment was shown as text",
    "myst_block_break": "a MyST block break was removed",
    "math_block": "a math block was shown as text",
    "footnote_block_open": "footnotes were shown as text",
}


class _Emitter:
    """Walks the token stream and writes markdown of the allowed kinds only."""

    def __init__(self, code: CodeHook | None) -> None:
        self.code = code
        self.problems: list[str] = []

    def problem(self, message: str) -> None:
        self.problems.append(message)

    # -- inline -----------------------------------------------------------------------------------------
    def inline(self, tokens: Sequence[Token]) -> str:
        """Markdown for inline ``tokens``, starting a line: text there cannot open a block construct."""
        out: list[str] = []
        # One entry per open link: its href when kept, None when dropped (its label stays as text).
        links: list[str | None] = []
        at_start = True
        for tok in tokens:
            kind = tok.type
            if kind == "text":
                content = tok.content.lstrip() if at_start else tok.content
                if not content:
                    continue
                escaped = _escape_text(content)
                out.append(_protect_line_start(escaped) if at_start else escaped)
                at_start = False
                continue
            if kind in {"softbreak", "hardbreak"} and at_start:
                continue
            at_start = False
            if kind in {"softbreak", "hardbreak"}:
                out.append(" ")
            elif kind == "code_inline":
                replacement = self.code(tok.content) if self.code is not None else None
                out.append(replacement if replacement is not None else code_span(tok.content))
            elif kind in {"em_open", "em_close"}:
                out.append("*")
            elif kind in {"strong_open", "strong_close"}:
                out.append("**")
            elif kind == "link_open":
                href = str(tok.attrs.get("href", ""))
                if not any(links) and _URL.match(href):
                    links.append(href)
                    out.append("[")
                else:
                    if not any(links):
                        self.problem(f"removed a link to {href[:80]!r} (only http(s) links are allowed)")
                    links.append(None)
            elif kind == "link_close":
                kept = links.pop() if links else None
                if kept is not None:
                    out.append(f"]({kept})" if re.fullmatch(r"[^()\s]+", kept) else f"](<{kept}>)")
            elif kind == "image":
                self.problem(f"removed an image of {str(tok.attrs.get('src', ''))[:80]!r}")
                out.append(self.inline(tok.children or []))
            elif kind == "html_inline":
                self.problem(f"raw HTML {tok.content[:40]!r} was shown as text")
                out.append(_escape_text(tok.content))
            elif kind == "myst_role":
                self.problem(f"a MyST role {{{tok.meta.get('name', '')}}} was shown as text")
                out.append(_escape_text(f"{{{tok.meta.get('name', '')}}}") + code_span(tok.content))
            elif kind in {"math_inline", "math_inline_double"}:
                self.problem("inline math was shown as text")
                out.append(_escape_text(tok.markup + tok.content + tok.markup))
            elif kind == "footnote_ref":
                self.problem("a footnote reference was removed")
            else:
                self.problem(f"{kind} markup was removed")
                out.append(_escape_text(tok.content))
        return "".join(out).strip()

    # -- blocks -----------------------------------------------------------------------------------------
    def blocks(self, tokens: Sequence[Token], start: int, end: int) -> list[str]:
        """Markdown blocks (paragraphs and lists) for ``tokens[start:end]``."""
        blocks: list[str] = []
        i = start
        while i < end:
            tok = tokens[i]
            kind = tok.type
            if kind == "paragraph_open":
                close = _matching(tokens, i)
                text = self.inline_of(tokens, i + 1, close)
                if _REST_DIRECTIVE.match(text):
                    self.problem(f"a reST directive {text[:30]!r} was shown as text")
                if text:
                    blocks.append(text)
                i = close + 1
            elif kind in {"bullet_list_open", "ordered_list_open"}:
                close = _matching(tokens, i)
                listing = self.listing(tokens, i, close)
                if listing:
                    blocks.append(listing)
                i = close + 1
            elif kind == "heading_open":
                self.problem(_BLOCK_NAMES[kind] + f" ({tok.markup or 'setext'} heading)")
                close = _matching(tokens, i)
                text = self.inline_of(tokens, i + 1, close)
                if text:
                    blocks.append(text)
                i = close + 1
            elif kind in {"blockquote_open", "footnote_block_open", "footnote_open"}:
                close = _matching(tokens, i)
                if kind in _BLOCK_NAMES:
                    self.problem(_BLOCK_NAMES[kind])
                blocks.extend(self.blocks(tokens, i + 1, close))
                i = close + 1
            elif kind == "table_open":
                self.problem(_BLOCK_NAMES[kind])
                close = _matching(tokens, i)
                cells = [self.inline(t.children or []) for t in tokens[i + 1 : close] if t.type == "inline"]
                text = " \\| ".join(c for c in cells if c)
                if text:
                    blocks.append(text)
                i = close + 1
            elif kind in {"fence", "code_block", "colon_fence", "html_block", "front_matter", "math_block"}:
                label = _BLOCK_NAMES[kind]
                if kind in {"fence", "colon_fence"} and tok.info.strip():
                    label += f" ({tok.markup}{tok.info.strip()[:30]})"
                elif kind == "html_block":
                    label = f"raw HTML {tok.content.strip()[:40]!r} was shown as text"
                self.problem(label)
                head = f"{tok.markup}{tok.info}".strip() if kind in {"fence", "colon_fence"} else ""
                text = " ".join(
                    line.strip() for line in f"{head}\n{tok.content}".splitlines() if line.strip()
                )
                if text:
                    blocks.append(_protect_line_start(_escape_text(text)))
                i += 1
            elif kind in {"myst_target", "myst_line_comment"}:
                self.problem(_BLOCK_NAMES[kind])
                text = _escape_text(f"({tok.content})=" if kind == "myst_target" else f"% {tok.content}")
                blocks.append(_protect_line_start(text))
                i += 1
            elif kind in {"hr", "myst_block_break"}:
                self.problem(_BLOCK_NAMES[kind])
                i += 1
            elif kind == "inline":
                text = self.inline(tok.children or [])
                if text:
                    blocks.append(text)
                i += 1
            elif tok.nesting == 1:
                self.problem(f"{kind.removesuffix('_open')} markup was flattened")
                close = _matching(tokens, i)
                blocks.extend(self.blocks(tokens, i + 1, close))
                i = close + 1
            else:
                i += 1
        return blocks

    def inline_of(self, tokens: Sequence[Token], start: int, end: int) -> str:
        return " ".join(
            text for t in tokens[start:end] if t.type == "inline" and (text := self.inline(t.children or []))
        )

    def listing(self, tokens: Sequence[Token], start: int, end: int) -> str:
        ordered = tokens[start].type == "ordered_list_open"
        items: list[str] = []
        i = start + 1
        number = int(tokens[start].attrs.get("start", 1) or 1) if ordered else 1
        while i < end:
            if tokens[i].type != "list_item_open":
                i += 1
                continue
            close = _matching(tokens, i)
            marker = f"{number}. " if ordered else "- "
            number += 1
            body = self.blocks(tokens, i + 1, close)
            pad = " " * len(marker)
            # A tight item (hidden paragraphs) keeps its nested list on the next line: no blank line.
            tight = any(t.type == "paragraph_open" and t.hidden for t in tokens[i + 1 : close])
            text = ("\n" if tight else "\n\n").join(body)
            # An item's continuation lines and nested lists are indented under its marker.
            text = "\n".join((pad + line) if line else line for line in text.split("\n"))[len(pad) :]
            items.append(marker + text if text else marker.rstrip())
            i = close + 1
        loose = any("\n\n" in item for item in items)
        return ("\n\n" if loose else "\n").join(items)


def _matching(tokens: Sequence[Token], start: int) -> int:
    depth = 0
    for i in range(start, len(tokens)):
        depth += tokens[i].nesting
        if depth == 0:
            return i
    return len(tokens) - 1


def _escape_text(text: str) -> str:
    return _ALWAYS.sub(r"\\\1", text)


def _protect_line_start(text: str) -> str:
    """Escape what would start a block construct at the beginning of a line."""
    text = text.lstrip()
    if text.startswith("\\"):
        return text
    number = _LINE_START_NUMBER.match(text)
    if number:
        return f"{number.group(1)}\\{number.group(2)}{text[number.end() :]}"
    return _LINE_START_PUNCT.sub(r"\\\1", text, count=1)


def code_span(content: str) -> str:
    """Inline code holding ``content`` exactly, whatever backticks it contains."""
    content = content.replace("\n", " ")
    runs = [len(m) for m in re.findall(r"`+", content)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if content.startswith(("`", " ")) or content.endswith(("`", " ")) or not content else ""
    return f"{fence}{pad}{content}{pad}{fence}"


def sanitize_prose(text: str, *, code: CodeHook | None = None) -> SanitizedProse:
    """Neutralise everything in ``text`` except paragraphs, lists, emphasis, inline code and http(s) links.

    :param code: called with the content of each code span; what it returns is emitted instead of the code
        span (the renderer turns mentions of project symbols into cross-references this way).
    """
    problems: list[str] = []
    if len(text) > MAX_PROSE_CHARS:
        problems.append(f"answer cut from {len(text)} to {MAX_PROSE_CHARS} characters")
        text = text[:MAX_PROSE_CHARS]
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    emitter = _Emitter(code)
    tokens = _MD.parse(text)
    blocks = emitter.blocks(tokens, 0, len(tokens))
    problems.extend(emitter.problems)
    return SanitizedProse("\n\n".join(blocks).strip(), tuple(dict.fromkeys(problems)))


def plain_text(text: str) -> str:
    """The words of model prose without any markup (for meta descriptions and ``llms.txt``)."""
    tokens = _MD.parse(text[:MAX_PROSE_CHARS])
    words: list[str] = []
    for tok in tokens:
        for child in tok.children or []:
            if child.type in {"text", "code_inline"}:
                words.append(child.content)
            elif child.type in {"softbreak", "hardbreak"}:
                words.append(" ")
        if tok.type == "paragraph_close":
            words.append(" ")
    return re.sub(r"\s+", " ", "".join(words)).strip()
