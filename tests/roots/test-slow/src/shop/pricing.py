"""Price rules. Imports the cart module, which imports this one: a deliberate cycle."""

from shop import cart


def discounted(total: int, quantity: int) -> int:
    """Ten percent off from ten items on."""
    return total * 9 // 10 if quantity >= 10 else total


def cart_total(c: "cart.Cart") -> int:
    return sum(discounted(p, q) for p, q in c.lines())
