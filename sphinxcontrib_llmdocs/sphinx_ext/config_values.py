"""Register the ``llmdocs_*`` settings with Sphinx and validate them at ``config-inited``."""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError

from sphinxcontrib_llmdocs.config import SETTINGS, LlmdocsConfig
from sphinxcontrib_llmdocs.errors import InvalidConfigError
from sphinxcontrib_llmdocs.sphinx_ext.warnings import logger

__all__ = ["ENV_KEY", "config_from_app", "register_settings", "validate_config"]

#: Attribute on the Sphinx application holding the validated :class:`LlmdocsConfig`.
ENV_KEY = "_llmdocs_config"


def register_settings(app: Sphinx) -> None:
    """Declare every setting of :data:`~sphinxcontrib_llmdocs.config.SETTINGS`, typed and described."""
    for setting in SETTINGS:
        app.add_config_value(
            setting.name,
            setting.default,
            # Not "env": a changed setting must not re-read every document. The generated pages track
            # what they depend on themselves (stubs, page artifacts, and the fingerprints checked at
            # env-get-outdated), so only the pages a change affects are read again.
            "",
            types=frozenset(setting.types),
            description=setting.description,
        )


def validate_config(app: Sphinx, config: Config) -> None:
    """Log every bad ``llmdocs_*`` value, then raise one :class:`~sphinx.errors.ConfigError`."""
    values = {s.name: getattr(config, s.name) for s in SETTINGS}
    try:
        llm_config = LlmdocsConfig.from_values(
            values, Path(app.confdir), sphinx_language=config.language or None
        )
    except InvalidConfigError as exc:
        for problem in exc.problems:
            logger.error(f"llmdocs: {problem}")
        raise ConfigError("sphinxcontrib-llmdocs: invalid configuration: " + "; ".join(exc.problems)) from exc
    setattr(app, ENV_KEY, llm_config)


def config_from_app(app: Sphinx) -> LlmdocsConfig:
    """The configuration validated at ``config-inited``."""
    config = getattr(app, ENV_KEY, None)
    assert isinstance(config, LlmdocsConfig), "config-inited has not run"
    return config
