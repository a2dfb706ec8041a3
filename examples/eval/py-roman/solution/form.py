from roman import from_roman


def parse_chapter(text):
    """The chapter number a reader typed, in digits or Roman numerals."""
    return int(text) if text.isdigit() else from_roman(text)
