def parse_chapter(text):
    """The chapter number a reader typed."""
    return int(text)
