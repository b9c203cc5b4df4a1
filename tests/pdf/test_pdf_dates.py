"""Bangla numerals and the date formats printed on certificates."""

import datetime as dt

import pytest

from portal.pdf import bangla_date, bangla_date_range, bangla_digits, english_date, english_date_range


def test_bangla_digits_replace_only_digits():
    assert bangla_digits("TOT-2026-0042, 18.5") == "TOT-২০২৬-০০৪২, ১৮.৫"
    assert bangla_digits(1234567890) == "১২৩৪৫৬৭৮৯০"


def test_bangla_date():
    assert bangla_date(dt.date(2026, 11, 23)) == "২৩ নভেম্বর ২০২৬"
    assert bangla_date(dt.date(2027, 1, 5)) == "৫ জানুয়ারি ২০২৭"


@pytest.mark.parametrize(
    ("start", "end", "english", "bangla"),
    [
        (dt.date(2026, 11, 23), dt.date(2026, 11, 23), "23 November 2026", "২৩ নভেম্বর ২০২৬"),
        (dt.date(2026, 11, 23), dt.date(2026, 11, 25), "23–25 November 2026", "২৩–২৫ নভেম্বর ২০২৬"),
        (
            dt.date(2026, 11, 30),
            dt.date(2026, 12, 2),
            "30 November – 2 December 2026",
            "৩০ নভেম্বর – ২ ডিসেম্বর ২০২৬",
        ),
        (
            dt.date(2026, 12, 30),
            dt.date(2027, 1, 2),
            "30 December 2026 – 2 January 2027",
            "৩০ ডিসেম্বর ২০২৬ – ২ জানুয়ারি ২০২৭",
        ),
    ],
)
def test_date_ranges(start, end, english, bangla):
    assert english_date_range(start, end) == english
    assert bangla_date_range(start, end) == bangla


def test_english_date_ignores_the_process_locale():
    assert english_date(dt.date(2026, 3, 1)) == "1 March 2026"
