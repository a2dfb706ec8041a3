import pytest

from display import show
from units import convert


def test_convert():
    assert convert(100, "C", "F") == pytest.approx(212)
    assert convert(0, "K", "C") == pytest.approx(-273.15)
    assert convert(32, "F", "K") == pytest.approx(273.15)
    assert convert(5, "C", "C") == 5


@pytest.mark.parametrize("args", [(1, "X", "C"), (1, "C", "R"), (-1, "K", "C")])
def test_refuses(args):
    with pytest.raises(ValueError):
        convert(*args)


def test_show():
    assert show(21.5, "F") == "70.7 °F"
    assert show(21.5, "K") == "294.6 K"
    assert show(21.5, "C") == "21.5 °C"
