"""Widgets."""


class Widget:
    """A widget."""

    def spin(self) -> None:
        """Spin it."""


def make_widget() -> Widget:
    """Make one."""
    return Widget()
