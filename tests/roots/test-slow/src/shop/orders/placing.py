"""Turn a cart into an order."""

import json
from typing import TYPE_CHECKING

from ..cart import Cart
from ..catalog import DEFAULT_CURRENCY

if TYPE_CHECKING:
    from shop.catalog import Catalog


def place(cart: Cart, catalog: "Catalog | None" = None) -> str:
    """Serialise the cart as an order document."""
    return json.dumps({"total": cart.total(), "currency": DEFAULT_CURRENCY})


async def place_later(cart: Cart) -> str:
    return place(cart)
