"""A tiny shop: catalog, cart and orders."""

from shop.catalog import Catalog

__all__ = ["Catalog"]
