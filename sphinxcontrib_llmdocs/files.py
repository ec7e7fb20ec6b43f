"""Small file helpers with no heavy imports (the no-change build path loads this and little else)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["write_if_changed"]


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` (atomically) unless it already holds exactly that; return whether it wrote.

    Unchanged files keep their modification time, so Sphinx (and sphinx-autobuild) see no change.
    """
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return True
