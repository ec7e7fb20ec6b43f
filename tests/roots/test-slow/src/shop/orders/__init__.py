"""Orders placed from carts."""
