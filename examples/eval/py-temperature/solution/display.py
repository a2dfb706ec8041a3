from units import convert

SYMBOLS = {"C": "°C", "F": "°F", "K": "K"}


def show(reading, unit="C"):
    """A Celsius reading, as the display writes it, in `unit`."""
    return f"{convert(reading, 'C', unit):.1f} {SYMBOLS[unit]}"
