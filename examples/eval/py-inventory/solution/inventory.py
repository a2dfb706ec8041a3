class Inventory:
    """Quantities in stock, by SKU."""

    def __init__(self, items=None):
        self.items = dict(items or {})

    def take(self, sku, qty):
        if self.items.get(sku, 0) < qty:
            raise ValueError(f"not enough {sku}")
        self.items[sku] -= qty

    def restock(self, sku, qty):
        if not isinstance(qty, int) or qty <= 0:
            raise ValueError(f"restock {sku} by a positive whole number, not {qty!r}")
        if sku not in self.items:
            raise KeyError(sku)
        self.items[sku] += qty
