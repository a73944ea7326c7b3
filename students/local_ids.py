"""The one rule for a district's local student ID, used wherever an ID is typed, pasted or imported.

An ID is text (`004512` keeps its zeros). Before it is matched or stored it is *cleaned*: Unicode NFKC
(full-width `００１９０１` becomes `001901`), invisible characters removed (zero-width spaces, byte-order
marks, soft hyphens and other format or control characters that copy-and-paste brings along) and the
surrounding spaces dropped. What remains may hold only ASCII letters, digits, `-` and `_`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

ALLOWED = re.compile(r"[A-Za-z0-9_-]+")
# Unicode categories that never show: Cf (format: U+200B zero-width space, U+FEFF, U+00AD soft hyphen,
# directional marks) and Cc (control characters such as a stray tab or NUL).
INVISIBLE = {"Cf", "Cc"}


def clean_local_id(text: str) -> str:
    """The normal form of a typed, pasted or imported student ID (see the module docstring)."""
    if text.isascii() and text.isprintable():  # nearly every ID: NFKC and the scan would change nothing
        return text.strip()
    value = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in value if unicodedata.category(ch) not in INVISIBLE).strip()


@cache
def _length_limit() -> int:
    from students.models import Student  # the length limit is the model field's own

    return Student._meta.get_field("local_id").max_length


def local_id_problem(cleaned: str) -> str | None:
    """Why a cleaned, non-blank ID cannot be a student ID, in plain words; None when it can."""
    limit = _length_limit()  # read once: an import asks for every row
    if not ALLOWED.fullmatch(cleaned):
        return f"'{cleaned}' is not a student ID: it may hold only letters A-Z, digits, '-' and '_'"
    if len(cleaned) > limit:
        return f"'{cleaned}' is longer than a student ID can be ({limit} characters)"
    return None


def without_leading_zeros(local_id: str) -> str:
    """The ID as a spreadsheet that took it for a number would show it: `001566` -> `1566`."""
    return local_id.lstrip("0")
