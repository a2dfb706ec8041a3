NUMERALS = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
            (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def to_roman(n):
    if not 1 <= n <= 3999:
        raise ValueError(f"{n} is outside 1 to 3999")
    out = ""
    for value, numeral in NUMERALS:
        while n >= value:
            out += numeral
            n -= value
    return out


def from_roman(text):
    upper = text.upper()
    total, rest = 0, upper
    for value, numeral in NUMERALS:
        while rest.startswith(numeral):
            total += value
            rest = rest[len(numeral):]
    if not upper or rest or to_roman(total) != upper:
        raise ValueError(f"{text!r} is not a Roman numeral")
    return total
