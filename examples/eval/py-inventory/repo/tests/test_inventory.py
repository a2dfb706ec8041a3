from inventory import Inventory
from report import total_units


def test_take_and_total():
    inv = Inventory({"A1": 3})
    inv.take("A1", 2)
    assert total_units(inv) == 1
