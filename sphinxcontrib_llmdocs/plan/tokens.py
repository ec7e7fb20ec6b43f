"""The offline token estimate: how many tokens a text costs, without a tokenizer or a network.

The rule (documented in the README): every newline is one token; every run of letters, digits and
underscores is one token per started six characters; every run of other characters that are not spaces
(punctuation such as ``":{"``) is one token per started two characters, as tokenizers merge common pairs.
It is an approximation meant for cost estimates, not a tokenizer: a backend with a
``count_tokens(request)`` method (the service's token-counting endpoint) replaces it where available.
"""

from __future__ import annotations

import re

__all__ = ["estimate_tokens"]

_PIECES = re.compile(r"\w+|\n|[^\w\s]+")


def estimate_tokens(text: str) -> int:
    """The estimated token count of ``text`` (see the module docstring for the rule)."""
    total = 0
    for match in _PIECES.finditer(text):
        piece = match.group(0)
        if piece == "\n":
            total += 1
        elif piece[0].isalnum() or piece[0] == "_":
            total += (len(piece) + 5) // 6
        else:
            total += (len(piece) + 1) // 2
    return total
