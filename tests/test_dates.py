"""kg.dates: every written form of a date, normalized to ISO with a precision."""
from __future__ import annotations

import pytest

from kg.dates import InvalidDate, bounds, find_dates, parse_date, xsd_datatype
from kg.records import PartialDate


@pytest.mark.parametrize(
    "written, iso",
    [
        ("May 27, 1958", "1958-05-27"),
        ("27 May 1958", "1958-05-27"),
        ("16/17 August 1957", "1957-08-16"),
        ("16.XII.1947", "1947-12-16"),
        ("24.III.50", "1950-03-24"),
        ("10.18.1962", "1962-10-18"),
        ("1961.3.29", "1961-03-29"),
        ("Nov. 3, 1972", "1972-11-03"),
        ("15 DECEMBER 1969", "1969-12-15"),
        ("Sept. 5, 1960", "1960-09-05"),
        ("4.7.1963", "1963-07-04"),
    ],
)
def test_day_precision_formats(written, iso):
    date = parse_date(written)
    assert date == PartialDate(iso, "day", written)


def test_numeric_date_is_day_month_when_both_could_be_months():
    assert parse_date("03.11.1956").iso == "1956-11-03"


def test_two_digit_year_in_roman_form_is_nineteenth_hundreds():
    assert parse_date("1.V.49").iso == "1949-05-01"


def test_date_inside_a_sentence_keeps_only_its_own_text():
    date = parse_date("Pyongyang, 2 April 1960, evening")
    assert date.iso == "1960-04-02"
    assert date.text == "2 April 1960"


def test_bare_year_has_year_precision():
    date = parse_date("1958")
    assert (date.iso, date.precision) == ("1958", "year")


def test_year_inside_words_has_year_precision():
    date = parse_date("the summer of 1961")
    assert (date.iso, date.precision) == ("1961", "year")


@pytest.mark.parametrize("written, iso", [("May 1958", "1958-05"), ("February 1960", "1960-02"),
                                          ("Sept. 1961", "1961-09")])
def test_month_year_has_month_precision(written, iso):
    date = parse_date(written)
    assert (date.iso, date.precision) == (iso, "month")


def test_month_day_without_year_takes_default_year():
    date = parse_date("March 24", default_year=1958)
    assert (date.iso, date.precision) == ("1958-03-24", "day")


def test_day_month_without_year_takes_default_year():
    assert parse_date("4 March", default_year=1961).iso == "1961-03-04"


def test_month_day_without_year_and_without_default_is_none():
    assert parse_date("March 24") is None


def test_text_without_a_date_is_none():
    assert parse_date("no date in this line") is None


def test_written_year_wins_over_default_year():
    assert parse_date("27 May 1958", default_year=1970).iso == "1958-05-27"


def test_31_february_is_invalid():
    with pytest.raises(InvalidDate):
        parse_date("31 February 1958")


def test_30_february_without_year_is_invalid_with_default_year():
    with pytest.raises(InvalidDate):
        parse_date("30 February", default_year=1958)


def test_30_february_is_invalid_even_in_a_leap_year():
    with pytest.raises(InvalidDate):
        parse_date("30 February", default_year=1960)


def test_29_february_exists_only_in_leap_years():
    assert parse_date("29 February 1960").iso == "1960-02-29"
    with pytest.raises(InvalidDate):
        parse_date("29 February 1958")


def test_month_13_is_invalid():
    with pytest.raises(InvalidDate):
        parse_date("13.13.1958")


def test_invalid_date_is_a_value_error_naming_the_day():
    with pytest.raises(ValueError, match="31"):
        parse_date("31 February 1958")


def test_find_dates_reports_offsets():
    text = "Met on 3 May, again on 27 May 1958."
    found = list(find_dates(text, default_year=1958))
    assert [(text[s:e], d.iso) for s, e, d in found] == [("3 May", "1958-05-03"), ("27 May 1958", "1958-05-27")]


def test_find_dates_skips_invalid_dates_and_reports_them():
    errors: list[str] = []
    found = list(find_dates("on 31 February 1958 and 2 March 1958", errors=errors))
    assert [d.iso for _, _, d in found] == ["1958-03-02"]
    assert len(errors) == 1 and "31" in errors[0]


def test_find_dates_prefers_the_longest_reading():
    found = list(find_dates("27 May 1958", default_year=1960))
    assert [d.iso for _, _, d in found] == ["1958-05-27"]


@pytest.mark.parametrize("precision, datatype", [("day", "date"), ("month", "gYearMonth"), ("year", "gYear")])
def test_xsd_datatype(precision, datatype):
    iso = {"day": "1958-05-27", "month": "1958-05", "year": "1958"}[precision]
    assert xsd_datatype(PartialDate(iso, precision)) == datatype


def test_bounds_of_a_day_is_that_day():
    assert bounds(PartialDate("1958-05-27", "day")) == ("1958-05-27", "1958-05-27")


def test_bounds_of_a_month():
    assert bounds(PartialDate("1958-04", "month")) == ("1958-04-01", "1958-04-30")


def test_bounds_of_february_in_a_leap_year():
    assert bounds(PartialDate("1960-02", "month")) == ("1960-02-01", "1960-02-29")


def test_bounds_of_february_in_a_common_year():
    assert bounds(PartialDate("1958-02", "month")) == ("1958-02-01", "1958-02-28")


def test_bounds_of_february_1900_is_not_a_leap_year():
    assert bounds(PartialDate("1900-02", "month")) == ("1900-02-01", "1900-02-28")


def test_bounds_of_a_year():
    assert bounds(PartialDate("1958", "year")) == ("1958-01-01", "1958-12-31")


def test_partial_date_year_property():
    assert parse_date("Nov. 3, 1972").year == 1972
