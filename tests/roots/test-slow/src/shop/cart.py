"""A shopping cart."""

from shop import pricing


class Cart:
    """Lines of (unit price, quantity)."""

    def __init__(self) -> None:
        self._lines: list[tuple[int, int]] = []

    def add(self, price: int, quantity: int) -> None:
        self._lines.append((price, quantity))

    def lines(self) -> list[tuple[int, int]]:
        """The lines, in the order they were added."""
        return list(self._lines)

    def total(self) -> int:
        return pricing.cart_total(self)
