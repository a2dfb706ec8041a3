from form import parse_chapter


def test_digits():
    assert parse_chapter("7") == 7
