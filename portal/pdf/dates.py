"""Dates (English and Bangla) and Bangla numerals as printed on certificates and sheets."""

from __future__ import annotations

import datetime as dt

from portal.core.i18n import bangla_digits  # noqa: F401 - re-exported for the PDFs

# Gregorian month names as written in Bangladesh (not the Bangla calendar's months).
MONTHS_BN = (
    "জানুয়ারি",
    "ফেব্রুয়ারি",
    "মার্চ",
    "এপ্রিল",
    "মে",
    "জুন",
    "জুলাই",
    "আগস্ট",
    "সেপ্টেম্বর",
    "অক্টোবর",
    "নভেম্বর",
    "ডিসেম্বর",
)


# Fixed names rather than %B, which follows the process locale.
MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def bangla_date(day: dt.date) -> str:
    """Format a date the Bangla way, e.g. ২৩ নভেম্বর ২০২৬."""
    return f"{bangla_digits(day.day)} {MONTHS_BN[day.month - 1]} {bangla_digits(day.year)}"


def bangla_date_range(start: dt.date, end: dt.date) -> str:
    """Format a date range compactly in Bangla, e.g. ২৩–২৫ নভেম্বর ২০২৬."""
    if start == end:
        return bangla_date(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{bangla_digits(start.day)}–{bangla_date(end)}"
    if start.year == end.year:
        return f"{bangla_digits(start.day)} {MONTHS_BN[start.month - 1]} – {bangla_date(end)}"
    return f"{bangla_date(start)} – {bangla_date(end)}"


def english_date(day: dt.date) -> str:
    """Format a date as 23 November 2026 (day first, as used in Bangladesh)."""
    return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"


def english_date_range(start: dt.date, end: dt.date) -> str:
    """Format a date range compactly, e.g. 23–25 November 2026."""
    if start == end:
        return english_date(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{english_date(end)}"
    if start.year == end.year:
        return f"{start.day} {MONTHS_EN[start.month - 1]} – {english_date(end)}"
    return f"{english_date(start)} – {english_date(end)}"
