"""Dates as Berdaya speaks of them: the day a cycle is judged on, and dates in words (id and en).

Data keeps dates in ISO form; what a person reads says "14 Februari 2022" (Bahasa Indonesia)
or "14 February 2022" (English).
"""

from __future__ import annotations

import datetime as dt

MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
             "Oktober", "November", "Desember")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December")


def cycle_date(cycle: int) -> dt.date:
    """The day a cycle is judged on: the version and values in force on 1 January of the cycle."""
    return dt.date(int(cycle), 1, 1)


def date_words(day: dt.date | str, lang: str = "id") -> str:
    """A date (or ISO text) in words: '14 Februari 2022' (id), '14 February 2022' (en)."""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day[:10])
    months = MONTHS_ID if lang == "id" else MONTHS_EN
    return f"{day.day} {months[day.month - 1]} {day.year}"


def tanggal(day: dt.date | str) -> str:
    """A date the Indonesian way: 2022-02-14 -> 14 Februari 2022."""
    return date_words(day, "id")
