import pytest

from inventory import Inventory
from report import low_stock


def test_restock_adds():
    inv = Inventory({"A1": 2})
    inv.restock("A1", 5)
    assert inv.items["A1"] == 7


@pytest.mark.parametrize("qty", [0, -1, 1.5])
def test_restock_refuses_a_bad_quantity(qty):
    with pytest.raises(ValueError):
        Inventory({"A1": 2}).restock("A1", qty)


def test_restock_refuses_an_unknown_sku():
    with pytest.raises(KeyError):
        Inventory({"A1": 2}).restock("ZZ", 1)


def test_low_stock_order():
    inv = Inventory({"A1": 3, "B2": 1, "C3": 9, "D4": 1})
    assert low_stock(inv, 5) == ["B2", "D4", "A1"]
    assert low_stock(inv, 1) == []
