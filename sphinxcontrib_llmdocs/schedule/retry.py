"""The retry policy: small pure functions, the clock and the randomness passed in.

Only an explicit allowlist of errors is retried (:func:`is_transient`), so a bug is never retried forever.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sphinxcontrib_llmdocs.errors import ContractViolationError, TransientBackendError

__all__ = [
    "RetryPolicy",
    "backoff_delay",
    "is_transient",
    "may_retry",
    "retry_after_of",
    "retry_at",
    "retry_delay",
]


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait before asking again.

    :param max_retries: retries per prompt after its first attempt.
    :param base_delay: seconds before the first retry; doubled for each further one.
    :param max_delay: the backoff never waits longer than this (a service's ``retry-after`` may).
    :param jitter: fraction of the backoff taken off at random, so retries of many prompts spread out.
    :param max_retry_after: a ``retry-after`` longer than this is capped (a misbehaving proxy cannot park
        the build for a day).
    :param contract_delay: seconds before asking again after a broken answer. The service is not
        overloaded, the answer was just wrong: there is nothing to back off from.
    """

    max_retries: int = 4
    base_delay: float = 0.5
    max_delay: float = 30.0
    jitter: float = 0.25
    max_retry_after: float = 600.0
    contract_delay: float = 0.0


def is_transient(error: BaseException) -> bool:
    """Whether ``error`` is worth another attempt: rate limits, overload, 5xx, timeouts, connection errors
    (all :class:`TransientBackendError`) and broken output contracts (:class:`ContractViolationError`)."""
    return isinstance(error, TransientBackendError | ContractViolationError)


def may_retry(error: BaseException, retries_so_far: int, policy: RetryPolicy) -> bool:
    """Whether a prompt that failed with ``error`` after ``retries_so_far`` retries gets another one."""
    return is_transient(error) and retries_so_far < policy.max_retries


def retry_after_of(error: BaseException) -> float | None:
    """The seconds the service asked us to wait with ``error``, if it said so."""
    if isinstance(error, TransientBackendError) and error.retry_after is not None:
        return max(0.0, float(error.retry_after))
    return None


def backoff_delay(retry: int, policy: RetryPolicy, random: Callable[[], float]) -> float:
    """Exponential backoff with jitter for the ``retry``-th retry (1 for the first).

    :param random: a source of floats in ``[0, 1)``, such as ``random.Random(seed).random``.
    """
    base = min(policy.max_delay, policy.base_delay * 2.0 ** max(0, retry - 1))
    return base * (1.0 - policy.jitter * random())


def retry_delay(error: BaseException, retry: int, policy: RetryPolicy, random: Callable[[], float]) -> float:
    """Seconds to wait before the ``retry``-th retry: the service's ``retry-after`` when it gave one
    (never less), ``contract_delay`` after a broken answer, otherwise the backoff."""
    after = retry_after_of(error)
    if after is not None:
        return min(after, policy.max_retry_after)
    if isinstance(error, ContractViolationError):
        return policy.contract_delay
    return backoff_delay(retry, policy, random)


def retry_at(
    now: float, error: BaseException, retry: int, policy: RetryPolicy, random: Callable[[], float]
) -> float:
    """The clock time at which the ``retry``-th retry may be sent."""
    return now + retry_delay(error, retry, policy, random)
