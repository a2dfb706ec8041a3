def show(reading, unit="C"):
    """A Celsius reading, as the display writes it."""
    return f"{reading:.1f} °C"
