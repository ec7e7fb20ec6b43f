"""Not fine."""


def bad(:
    return 2
