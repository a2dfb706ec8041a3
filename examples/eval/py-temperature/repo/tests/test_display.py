from display import show


def test_celsius():
    assert show(21.5, "C") == "21.5 °C"
