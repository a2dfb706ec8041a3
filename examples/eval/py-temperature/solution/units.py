def _to_celsius(value, unit):
    if unit == "C":
        return value
    if unit == "F":
        return (value - 32) * 5 / 9
    if unit == "K":
        if value < 0:
            raise ValueError("a Kelvin value is never below zero")
        return value - 273.15
    raise ValueError(f"unknown unit {unit!r}")


def convert(value, from_unit, to_unit):
    c = _to_celsius(value, from_unit)
    if to_unit == "C":
        return c
    if to_unit == "F":
        return c * 9 / 5 + 32
    if to_unit == "K":
        return c + 273.15
    raise ValueError(f"unknown unit {to_unit!r}")
