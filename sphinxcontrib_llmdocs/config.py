"""The frozen configuration the core runs on, built once from ``conf.py`` (or the CLI).

Every ``llmdocs_*`` setting is declared once in :data:`SETTINGS` (name, default, types, description); the
Sphinx adapter registers them from there and the README's table lists the same entries.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sphinxcontrib_llmdocs.errors import InvalidConfigError

__all__ = ["BACKEND_NAMES", "RATE_LIMIT_KEYS", "SETTINGS", "LlmdocsConfig", "Setting"]

#: Backends selectable by name; ``"module:attribute"`` names a custom backend factory instead.
BACKEND_NAMES = ("auto", "anthropic", "anthropic-batch", "offline", "cache-only")

_OUTPUT_DIR_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*(/[A-Za-z0-9_][A-Za-z0-9_.\-]*)*$")
_FACTORY_RE = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")


@dataclass(frozen=True)
class Setting:
    """One ``llmdocs_*`` setting: its default, accepted types and a one-line description."""

    name: str
    default: object
    types: tuple[type, ...]
    description: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "llmdocs_packages",
        [],
        (list, tuple),
        "Paths (relative to the folder of ``conf.py``) to document. A folder holding ``__init__.py`` is that "
        "package; a folder without one is a source root whose packages and modules are all documented.",
    ),
    Setting(
        "llmdocs_output_dir",
        "llmdocs",
        (str,),
        "Folder under the source directory that receives the generated pages; "
        "its ``index`` reaches them all.",
    ),
    Setting(
        "llmdocs_exclude",
        [],
        (list, tuple),
        "Glob patterns (matched against dotted module names and source paths) of modules to leave out.",
    ),
    Setting(
        "llmdocs_backend",
        "auto",
        (str,),
        "``auto`` (a key present: ``anthropic``; none: ``offline``, or ``cache-only`` on Read the Docs), "
        "``anthropic``, ``anthropic-batch``, "
        "``offline``, ``cache-only``, or ``module:factory`` for a custom backend.",
    ),
    Setting(
        "llmdocs_model",
        "claude-sonnet-4-5",
        (str,),
        "Model for the page prompts (module, package, index).",
    ),
    Setting(
        "llmdocs_analysis_model",
        "claude-haiku-4-5",
        (str,),
        "Model for the many small symbol-analysis prompts.",
    ),
    Setting(
        "llmdocs_api_key_env",
        "ANTHROPIC_API_KEY",
        (str,),
        "Name of the environment variable that holds the API key. The key itself never goes in ``conf.py``.",
    ),
    Setting(
        "llmdocs_max_concurrency",
        4,
        (int,),
        "Prompts in flight at once.",
    ),
    Setting(
        "llmdocs_cache_dir",
        None,
        (str, type(None)),
        "Optional committed folder of cached answers (relative to ``conf.py``), read before the local cache "
        "in the doctree directory and written when set.",
    ),
    Setting(
        "llmdocs_language",
        None,
        (str, type(None)),
        "Language of the generated prose; defaults to Sphinx's ``language``.",
    ),
    Setting(
        "llmdocs_timeout",
        120.0,
        (int, float),
        "Seconds one request to the API may take before it counts as failed (and is retried by the "
        "scheduler). The API's address comes from ``ANTHROPIC_BASE_URL`` when that is set.",
    ),
    Setting(
        "llmdocs_llms_txt",
        True,
        (bool,),
        "Write ``llms.txt`` into the HTML output folder: the generated pages with their one-line summaries.",
    ),
    Setting(
        "llmdocs_mermaid_js",
        None,
        (str, type(None)),
        "Folder (relative to ``conf.py``) holding mermaid's ``dist`` files from the npm ``mermaid`` package "
        "(``mermaid.esm.min.mjs`` and ``chunks/``): they are copied into the built site and diagrams load "
        "no script from a CDN, for offline documentation. ``make mermaid-js`` fetches them. ``None``: "
        "sphinxcontrib-mermaid's CDN.",
    ),
    Setting(
        "llmdocs_evidence_tokens",
        6000,
        (int,),
        "Token budget of one prompt's evidence pack (facts, source snippets, earlier summaries); packs are "
        "cut deterministically, least relevant first. Also the budget symbol analyses are chunked to.",
    ),
    Setting(
        "llmdocs_symbol_page_min_methods",
        10,
        (int,),
        "A class with at least this many public methods gets a page of its own; ``0`` turns this rule off.",
    ),
    Setting(
        "llmdocs_symbol_page_min_users",
        6,
        (int,),
        "A class or function used (imported or called) from at least this many other modules gets a page of "
        "its own; ``0`` turns this rule off.",
    ),
    Setting(
        "llmdocs_dry_run",
        False,
        (bool,),
        "Walk the whole prompt graph without calling a model: report prompts, cache hits, tokens and cost "
        "(``<outdir>/llmdocs-estimate.json``); pages come from the offline writer; the cache is not written.",
    ),
    Setting(
        "llmdocs_prices",
        {},
        (dict,),
        "Price overrides in USD per million tokens, e.g. ``{'claude-sonnet-4-5': {'input': 3, 'output': 15, "
        "'cache_write': 3.75, 'cache_read': 0.3}}``; replace or extend the dated table shipped with the "
        "package.",
    ),
    Setting(
        "llmdocs_rate_limits",
        {},
        (dict,),
        "Your API rate limits, any of ``requests_per_minute``, ``input_tokens_per_minute``, "
        "``output_tokens_per_minute``; no minute ever exceeds them. The scheduler also follows the limits "
        "and ``retry-after`` the API reports.",
    ),
    Setting(
        "llmdocs_max_retries",
        4,
        (int,),
        "Retries per prompt for transient errors (rate limit, overload, server error, timeout, malformed or "
        "truncated answer), with exponential backoff and jitter (a broken answer is asked again at once); "
        "then the prompt fails and its page renders with what it has.",
    ),
    Setting(
        "llmdocs_failure_threshold",
        10,
        (int,),
        "Failed requests in a row that stop the run with one error (requests in flight together count "
        "once); answers already received stay cached.",
    ),
    Setting(
        "llmdocs_fail_on_cache_miss",
        False,
        (bool,),
        "With the ``cache-only`` backend, stop the build with an error when a prompt's answer is not in the "
        "cache (instead of a ``llmdocs.cache_miss`` warning and a page marked as not yet generated).",
    ),
)

#: Keys ``llmdocs_rate_limits`` accepts.
RATE_LIMIT_KEYS = ("requests_per_minute", "input_tokens_per_minute", "output_tokens_per_minute")


@dataclass(frozen=True)
class LlmdocsConfig:
    """Validated settings; the only configuration object the core sees.

    :param packages: absolute paths of the packages or source roots to document.
    """

    packages: tuple[Path, ...]
    output_dir: str = "llmdocs"
    exclude: tuple[str, ...] = ()
    backend: str = "auto"
    model: str = "claude-sonnet-4-5"
    analysis_model: str = "claude-haiku-4-5"
    api_key_env: str = "ANTHROPIC_API_KEY"
    max_concurrency: int = 4
    cache_dir: Path | None = None
    language: str = "en"
    timeout: float = 120.0
    llms_txt: bool = True
    mermaid_js: Path | None = None
    evidence_tokens: int = 6000
    symbol_page_min_methods: int = 10
    symbol_page_min_users: int = 6
    dry_run: bool = False
    prices: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    rate_limits: Mapping[str, int] = field(default_factory=dict)
    max_retries: int = 4
    failure_threshold: int = 10
    fail_on_cache_miss: bool = False
    environ: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def api_key(self) -> str | None:
        """The API key from the environment, or ``None``; never stored or printed."""
        value = self.environ.get(self.api_key_env, "").strip()
        return value or None

    @classmethod
    def from_values(
        cls,
        values: Mapping[str, object],
        confdir: Path,
        *,
        sphinx_language: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> LlmdocsConfig:
        """Validate raw ``llmdocs_*`` values and build the config.

        :param values: setting name to value; missing names take their defaults.
        :param confdir: folder of ``conf.py``; relative paths are resolved against it.
        :param sphinx_language: Sphinx's ``language``, the default for ``llmdocs_language``.
        :param environ: environment to read the API key from (defaults to ``os.environ``).
        :raises InvalidConfigError: listing every bad setting, each message naming it.
        """
        problems: list[str] = []
        get = {s.name: values.get(s.name, s.default) for s in SETTINGS}

        packages = _check_packages(get["llmdocs_packages"], confdir, problems)
        output_dir = get["llmdocs_output_dir"]
        if not isinstance(output_dir, str) or not _OUTPUT_DIR_RE.match(output_dir):
            problems.append(
                f"llmdocs_output_dir: {output_dir!r} is not a relative folder name such as 'llmdocs'"
            )
        exclude = get["llmdocs_exclude"]
        if not isinstance(exclude, list | tuple) or not all(isinstance(p, str) for p in exclude):
            problems.append(f"llmdocs_exclude: expected a list of glob strings, got {exclude!r}")
            exclude = ()
        backend = get["llmdocs_backend"]
        if not isinstance(backend, str) or (backend not in BACKEND_NAMES and not _FACTORY_RE.match(backend)):
            problems.append(
                f"llmdocs_backend: {backend!r} is not one of {', '.join(BACKEND_NAMES)} "
                "nor a 'module:factory' reference"
            )
        for name in ("llmdocs_model", "llmdocs_analysis_model", "llmdocs_api_key_env"):
            value = get[name]
            if not isinstance(value, str) or not value.strip():
                problems.append(f"{name}: expected a non-empty string, got {value!r}")
        concurrency = get["llmdocs_max_concurrency"]
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            problems.append(f"llmdocs_max_concurrency: expected a whole number >= 1, got {concurrency!r}")
        cache_dir_value = get["llmdocs_cache_dir"]
        cache_dir: Path | None = None
        if cache_dir_value is not None:
            if not isinstance(cache_dir_value, str) or not cache_dir_value.strip():
                problems.append(f"llmdocs_cache_dir: expected a folder path or None, got {cache_dir_value!r}")
            else:
                cache_dir = (confdir / cache_dir_value).resolve()
        language = get["llmdocs_language"] or sphinx_language or "en"
        if not isinstance(language, str):
            problems.append(f"llmdocs_language: expected a language code such as 'en', got {language!r}")
        fail_on_cache_miss = get["llmdocs_fail_on_cache_miss"]
        if not isinstance(fail_on_cache_miss, bool):
            problems.append(f"llmdocs_fail_on_cache_miss: expected True or False, got {fail_on_cache_miss!r}")

        timeout = get["llmdocs_timeout"]
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout <= 3600:
            problems.append(f"llmdocs_timeout: expected seconds between 0 and 3600, got {timeout!r}")
            timeout = 120.0
        llms_txt = get["llmdocs_llms_txt"]
        if not isinstance(llms_txt, bool):
            problems.append(f"llmdocs_llms_txt: expected True or False, got {llms_txt!r}")
        mermaid_js = _check_mermaid_js(get["llmdocs_mermaid_js"], confdir, problems)
        evidence_tokens = get["llmdocs_evidence_tokens"]
        if isinstance(evidence_tokens, bool) or not isinstance(evidence_tokens, int) or evidence_tokens < 500:
            problems.append(
                f"llmdocs_evidence_tokens: expected a whole number >= 500, got {evidence_tokens!r}"
            )
        for name in ("llmdocs_symbol_page_min_methods", "llmdocs_symbol_page_min_users"):
            value = get[name]
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                problems.append(f"{name}: expected a whole number >= 0 (0 turns the rule off), got {value!r}")
        dry_run = get["llmdocs_dry_run"]
        if dry_run not in (True, False, 0, 1):
            problems.append(f"llmdocs_dry_run: expected True or False, got {dry_run!r}")
        prices = _check_prices(get["llmdocs_prices"], problems)
        rate_limits = _check_rate_limits(get["llmdocs_rate_limits"], problems)
        max_retries = get["llmdocs_max_retries"]
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            problems.append(f"llmdocs_max_retries: expected a whole number >= 0, got {max_retries!r}")
        threshold = get["llmdocs_failure_threshold"]
        if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
            problems.append(f"llmdocs_failure_threshold: expected a whole number >= 1, got {threshold!r}")

        if problems:
            raise InvalidConfigError(problems)
        return cls(
            packages=packages,
            output_dir=str(output_dir).strip("/"),
            exclude=tuple(str(p) for p in exclude),
            backend=str(backend),
            model=str(get["llmdocs_model"]),
            analysis_model=str(get["llmdocs_analysis_model"]),
            api_key_env=str(get["llmdocs_api_key_env"]),
            max_concurrency=int(concurrency),  # type: ignore[call-overload]
            cache_dir=cache_dir,
            language=str(language),
            timeout=float(timeout),
            llms_txt=bool(llms_txt),
            mermaid_js=mermaid_js,
            evidence_tokens=int(evidence_tokens),  # type: ignore[call-overload]
            symbol_page_min_methods=int(get["llmdocs_symbol_page_min_methods"]),  # type: ignore[call-overload]
            symbol_page_min_users=int(get["llmdocs_symbol_page_min_users"]),  # type: ignore[call-overload]
            dry_run=bool(dry_run),
            prices=prices,
            rate_limits=rate_limits,
            max_retries=int(max_retries),  # type: ignore[call-overload]
            failure_threshold=int(threshold),  # type: ignore[call-overload]
            fail_on_cache_miss=bool(fail_on_cache_miss),
            environ=dict(os.environ if environ is None else environ),
        )


#: The file of mermaid's npm ``dist`` folder that sphinxcontrib-mermaid imports.
MERMAID_ENTRY = "mermaid.esm.min.mjs"


def _check_mermaid_js(value: object, confdir: Path, problems: list[str]) -> Path | None:
    if value is None:
        return None
    if not isinstance(value, str | os.PathLike) or not os.fspath(value).strip():
        problems.append(f"llmdocs_mermaid_js: expected a folder path or None, got {value!r}")
        return None
    path = (confdir / value).resolve()
    if not (path / MERMAID_ENTRY).is_file():
        problems.append(
            f"llmdocs_mermaid_js: {os.fspath(value)!r} (resolved to {path}) holds no {MERMAID_ENTRY}; "
            "point it at the 'dist' folder of the npm 'mermaid' package (`make mermaid-js` fetches it)"
        )
        return None
    return path


def _check_rate_limits(value: object, problems: list[str]) -> dict[str, int]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.append(
            f"llmdocs_rate_limits: expected a dict such as {{'requests_per_minute': 50}}, got {value!r}"
        )
        return {}
    limits: dict[str, int] = {}
    for key, limit in value.items():
        if key not in RATE_LIMIT_KEYS:
            problems.append(
                f"llmdocs_rate_limits: unknown key {key!r}; expected one of {', '.join(RATE_LIMIT_KEYS)}"
            )
        elif limit is None:
            continue
        elif isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            problems.append(f"llmdocs_rate_limits: {key} must be a whole number >= 1 or None, got {limit!r}")
        else:
            limits[key] = limit
    return limits


def _check_packages(value: object, confdir: Path, problems: list[str]) -> tuple[Path, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        problems.append(f"llmdocs_packages: expected a list of paths, got {value!r}")
        return ()
    if not value:
        problems.append(
            "llmdocs_packages: is empty; name at least one package folder or source root, "
            "for example ['../src/mypackage']"
        )
        return ()
    paths: list[Path] = []
    for item in value:
        if not isinstance(item, str | os.PathLike):
            problems.append(f"llmdocs_packages: {item!r} is not a path")
            continue
        path = (confdir / item).resolve()
        if not path.is_dir():
            problems.append(
                f"llmdocs_packages: {os.fspath(item)!r} does not exist or is not a folder "
                f"(resolved to {path})"
            )
            continue
        paths.append(path)
    return tuple(paths)


_PRICE_FIELDS = ("input", "output", "cache_write", "cache_read")


def _check_prices(value: object, problems: list[str]) -> dict[str, dict[str, float]]:
    if not isinstance(value, Mapping):
        problems.append(f"llmdocs_prices: expected a dict of model name to prices, got {value!r}")
        return {}
    prices: dict[str, dict[str, float]] = {}
    for model, fields in value.items():
        if not isinstance(model, str) or not model.strip():
            problems.append(f"llmdocs_prices: {model!r} is not a model name")
            continue
        if not isinstance(fields, Mapping) or set(fields) != set(_PRICE_FIELDS):
            problems.append(
                f"llmdocs_prices[{model!r}]: expected a dict with exactly the keys "
                f"{', '.join(_PRICE_FIELDS)} (USD per million tokens), got {fields!r}"
            )
            continue
        bad = [
            k for k in _PRICE_FIELDS if isinstance(fields[k], bool) or not isinstance(fields[k], int | float)
        ]
        bad += [k for k in _PRICE_FIELDS if k not in bad and float(fields[k]) < 0]
        if bad:
            problems.append(f"llmdocs_prices[{model!r}]: {', '.join(bad)} must be numbers >= 0")
            continue
        prices[model] = {k: float(fields[k]) for k in _PRICE_FIELDS}
    return prices
