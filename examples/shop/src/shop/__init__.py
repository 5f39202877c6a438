"""A tiny shop: carts, prices and stock, enough to show what a change affects."""
