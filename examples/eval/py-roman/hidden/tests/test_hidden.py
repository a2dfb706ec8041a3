import pytest

from form import parse_chapter
from roman import from_roman, to_roman


def test_to_roman():
    assert to_roman(1994) == "MCMXCIV"
    assert to_roman(3999) == "MMMCMXCIX"
    assert to_roman(4) == "IV"


def test_round_trip():
    for n in range(1, 4000):
        assert from_roman(to_roman(n)) == n


@pytest.mark.parametrize("bad", ["IIII", "VX", "", "IC", "MMMM", "12"])
def test_rejects(bad):
    with pytest.raises(ValueError):
        from_roman(bad)


def test_parse_chapter():
    assert parse_chapter("xii") == 12
    assert parse_chapter("12") == 12
