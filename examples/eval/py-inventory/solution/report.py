def total_units(inventory):
    return sum(inventory.items.values())


def low_stock(inventory, threshold):
    low = [(qty, sku) for sku, qty in inventory.items.items() if qty < threshold]
    return [sku for qty, sku in sorted(low)]
