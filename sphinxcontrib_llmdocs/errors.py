"""Exceptions raised by sphinxcontrib-llmdocs.

The tree::

    LlmdocsError
    ├── InvalidConfigError          a setting has a bad value
    ├── PlanError
    │   ├── PagePathConflictError   two pages would be written to one path
    │   └── DuplicatePageIdError    two modules would get the same page id
    ├── BackendError                the language-model backend failed
    │   ├── TransientBackendError   worth retrying (rate limit, overload, 5xx, timeout)
    │   ├── AuthenticationError     the API key is missing or refused; stops the run
    │   ├── ContractViolationError  the answer does not match the prompt's output contract
    │   │   └── ProseContractViolationError  schema-valid, but its prose holds more than paragraphs and lists
    │   └── PromptRefusedError      the model declined to answer; the prompt fails with its reason
    ├── CacheEntryError             a cache entry is unreadable or corrupt
    └── RunAbortedError             too many consecutive failures; the run stopped
"""

from __future__ import annotations

__all__ = [
    "AuthenticationError",
    "BackendError",
    "CacheEntryError",
    "ContractViolationError",
    "DuplicatePageIdError",
    "InvalidConfigError",
    "LlmdocsError",
    "PagePathConflictError",
    "PlanError",
    "PromptRefusedError",
    "ProseContractViolationError",
    "RunAbortedError",
    "TransientBackendError",
]


class LlmdocsError(Exception):
    """Raised when sphinxcontrib-llmdocs fails; the base of every exception here."""


class InvalidConfigError(LlmdocsError):
    """Raised when one or more ``llmdocs_*`` settings are invalid.

    :param problems: one message per bad setting, each naming the setting.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


class PlanError(LlmdocsError):
    """Raised when the page plan cannot be built."""


class PagePathConflictError(PlanError):
    """Raised when two pages would be written to the same path."""


class DuplicatePageIdError(PlanError):
    """Raised when two documented modules have the same dotted name, hence the same page id."""


class BackendError(LlmdocsError):
    """Raised when a language-model backend fails to answer a prompt."""


class TransientBackendError(BackendError):
    """Raised when a backend failure is worth retrying (rate limit, overload, server error, timeout).

    :param retry_after: seconds the service asked us to wait, when it said so.
    """

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AuthenticationError(BackendError):
    """Raised when the API key is missing or refused; the run stops at once."""


class ContractViolationError(BackendError):
    """Raised when an answer breaks its prompt's output contract (malformed, truncated, wrong schema)."""


class ProseContractViolationError(ContractViolationError):
    """Raised when an answer matches its schema but a prose field holds more than paragraphs and lists.

    Retried like any contract violation; when the retries do not help, the scheduler keeps ``answer``,
    whose prose the renderer neutralises (and reports), rather than losing the prose.

    :param answer: the parsed, schema-valid answer.
    """

    def __init__(self, message: str, *, answer: dict[str, object]) -> None:
        super().__init__(message)
        self.answer = answer


class PromptRefusedError(BackendError):
    """Raised when the model declines to answer a prompt (``stop_reason == "refusal"``); not retried.

    :param reason: the model's reason, as the service reported it.
    """

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class CacheEntryError(LlmdocsError):
    """Raised when a cache entry cannot be read or is corrupt."""


class RunAbortedError(LlmdocsError):
    """Raised when the scheduler stops a run after too many consecutive failures."""
