def total_units(inventory):
    return sum(inventory.items.values())
