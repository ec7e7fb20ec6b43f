"""Fine."""


def ok() -> int:
    """Works."""
    return 1
