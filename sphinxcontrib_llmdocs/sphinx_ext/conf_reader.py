"""Read a documentation folder's ``conf.py`` the way Sphinx does, for the command line (no build)."""

from __future__ import annotations

from pathlib import Path

from sphinx.config import eval_config_file
from sphinx.errors import ConfigError
from sphinx.util.tags import Tags

from sphinxcontrib_llmdocs.config import SETTINGS, LlmdocsConfig
from sphinxcontrib_llmdocs.errors import InvalidConfigError

__all__ = ["read_docs_config"]


def read_docs_config(docs_dir: Path) -> tuple[LlmdocsConfig, str]:
    """The validated ``llmdocs_*`` settings and the ``project`` name of ``docs_dir/conf.py``.

    :raises InvalidConfigError: when there is no ``conf.py``, it fails to run, or a setting is bad.
    """
    docs_dir = docs_dir.resolve()
    conf = docs_dir / "conf.py"
    if not conf.is_file():
        raise InvalidConfigError([f"{docs_dir}: no conf.py in this folder"])
    try:
        namespace = eval_config_file(conf, Tags())
    except ConfigError as exc:
        raise InvalidConfigError([f"{conf}: {exc}"]) from exc
    values = {s.name: namespace[s.name] for s in SETTINGS if s.name in namespace}
    language = namespace.get("language")
    config = LlmdocsConfig.from_values(
        values, docs_dir.resolve(), sphinx_language=language if isinstance(language, str) else None
    )
    return config, str(namespace.get("project") or "Project")
