"""Course grades: the letter scale seal routes compare (A+ best, F failing) and the district's numeric scale."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.conf import settings

# Best first. The settings check NUMERIC_GRADE_SCALE against it (so this module reads settings lazily).
LETTER_GRADES: tuple[str, ...] = ("A+", "A", "A-", "B+", "B", "B-", "C+", "C", "C-", "D+", "D", "D-", "F")
GRADE_CHOICES = [(g, g) for g in LETTER_GRADES]


def grade_rank(letter: str) -> int:
    """Higher is better: A+ is 12, F is 0."""
    return len(LETTER_GRADES) - 1 - LETTER_GRADES.index(letter)


def grade_at_least(letter: str, minimum: str) -> bool:
    """Whether `letter` is `minimum` or better (C+ is at least C; C- is not)."""
    return grade_rank(letter) >= grade_rank(minimum)


def letter_for_number(number: Decimal) -> str:
    """The letter grade the district's NUMERIC_GRADE_SCALE gives a numeric grade from 0 to 100."""
    for letter, low in settings.NUMERIC_GRADE_SCALE:
        if number >= low:
            return letter
    return "F"


def parse_course_grade(text: str) -> tuple[str, Decimal | None]:
    """A course grade as typed: a letter grade (A+ to F, any case) or a number from 0 to 100 read by the
    district's scale. Returns (letter, the number or None); ValueError with the message otherwise."""
    cleaned = text.strip().upper().replace(" ", "")
    if cleaned in LETTER_GRADES:
        return cleaned, None
    try:
        number = Decimal(cleaned)
        if not number.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        raise ValueError(f"'{text}' is not a grade (a letter from A+ to F, or a number from 0 to 100)") from None
    if not Decimal(0) <= number <= Decimal(100):
        raise ValueError(f"'{text}' is outside the grade scale (0 to 100)")
    if number != number.quantize(Decimal("0.1")):
        raise ValueError(f"'{text}' has more than one decimal place")
    return letter_for_number(number), number
