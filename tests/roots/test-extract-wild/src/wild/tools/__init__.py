"""Tools."""


def new():
    pass
