"""A registry typed by the stub next to it."""


def register(name, kind=None):
    """Register a name."""
    return (name, kind)


def __getattr__(name):
    return register(name)
