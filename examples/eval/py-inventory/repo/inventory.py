class Inventory:
    """Quantities in stock, by SKU."""

    def __init__(self, items=None):
        self.items = dict(items or {})

    def take(self, sku, qty):
        if self.items.get(sku, 0) < qty:
            raise ValueError(f"not enough {sku}")
        self.items[sku] -= qty
