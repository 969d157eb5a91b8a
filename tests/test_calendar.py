"""School-day arithmetic on explicit dates, the calendar file and the .ics import.

No test reads the clock: every date is written out. School numbers are invented.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

import icalendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cme.resources import SHIPPED_CALENDAR
from workflows.calendar import (
    CalendarError,
    CalendarRangeError,
    SchoolCalendar,
    add_calendar_days,
    dump_spec,
    import_ics,
    load_calendar,
    merge_import,
    read_spec,
    write_spec,
)
from workflows.calendar_ics import classify
from workflows.calendar_toml import spec_from_toml

SHIPPED = SHIPPED_CALENDAR
SCHOOL = "9319998"  # invented LAESTAB

OVERRIDES = f"""
[schools."{SCHOOL}"]
name = "Example Primary School"
inset = [2026-02-27]

[schools."Example Academy"]
terms = [[2026-01-05, 2026-07-17]]
half_terms = [[2026-02-16, 2026-02-20]]
"""


@cache
def shipped() -> SchoolCalendar:
    return load_calendar(SHIPPED)


@cache
def with_overrides() -> SchoolCalendar:
    data = tomllib.loads(SHIPPED.read_text(encoding="utf-8") + OVERRIDES)
    return SchoolCalendar.from_spec(spec_from_toml(data))


# --- counting -----------------------------------------------------------------


def test_domain_example_skips_the_february_half_term():
    assert shipped().add_school_days(date(2026, 2, 9), 10) == date(2026, 3, 2)
    assert shipped().school_days_between(date(2026, 2, 9), date(2026, 3, 2)) == 10


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        (date(2026, 2, 6), 1, date(2026, 2, 9)),  # Friday -> Monday
        (date(2026, 3, 27), 1, date(2026, 4, 13)),  # Easter holiday incl. 3 and 6 April
        (date(2026, 5, 1), 1, date(2026, 5, 5)),  # early May bank holiday in term
        (date(2026, 5, 22), 1, date(2026, 6, 1)),  # 25 May bank holiday in half term
        (date(2026, 2, 14), 1, date(2026, 2, 23)),  # starts on a Saturday before half term
        (date(2026, 2, 18), 1, date(2026, 2, 23)),  # starts inside half term
        (date(2025, 12, 21), 1, date(2026, 1, 5)),  # starts in the Christmas holiday
        (date(2026, 2, 10), 0, date(2026, 2, 10)),  # n == 0 is the start itself
        (date(2026, 2, 14), 0, date(2026, 2, 14)),  # ... whatever day it is
    ],
)
def test_add_school_days(start, n, due):
    assert shipped().add_school_days(start, n) == due


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 2, 9), True),
        (date(2026, 2, 7), False),  # Saturday
        (date(2026, 4, 3), False),  # Good Friday, Easter holiday
        (date(2026, 5, 4), False),  # early May bank holiday, inside the summer term
        (date(2026, 5, 25), False),  # spring bank holiday, half term
        (date(2026, 10, 28), False),  # autumn half term 2026-27
    ],
)
def test_is_school_day(day, expected):
    assert shipped().is_school_day(day) is expected


def test_bank_holidays_inside_a_term_are_skipped_without_being_listed():
    # The academy's spring term runs through Easter; the file does not list
    # Good Friday or Easter Monday, the holidays package does.
    academy = with_overrides()
    assert not academy.is_school_day(date(2026, 4, 3), "Example Academy")
    assert academy.is_school_day(date(2026, 4, 2), "Example Academy")
    assert academy.add_school_days(date(2026, 4, 2), 1, "Example Academy") == date(2026, 4, 7)


def test_calendar_days_skip_nothing():
    assert add_calendar_days(date(2026, 2, 9), 10) == date(2026, 2, 19)
    assert shipped().add_calendar_days(date(2026, 12, 20), 14) == date(2027, 1, 3)


def test_a_school_inset_day_delays_only_that_school():
    calendar = with_overrides()
    start = date(2026, 2, 9)
    assert calendar.add_school_days(start, 10) == date(2026, 3, 2)
    assert calendar.add_school_days(start, 10, SCHOOL) == date(2026, 3, 3)
    assert calendar.add_school_days(start, 10, "931/9998") == date(2026, 3, 3)
    assert calendar.add_school_days(start, 10, "example  PRIMARY school") == date(2026, 3, 3)
    assert calendar.add_school_days(start, 10, "9310001") == date(2026, 3, 2)  # no override
    assert not calendar.is_school_day(date(2026, 2, 27), SCHOOL)
    assert calendar.school_days_between(start, date(2026, 3, 3), SCHOOL) == 10


def test_counting_runs_into_the_next_school_year():
    calendar = shipped()
    assert calendar.add_school_days(date(2026, 7, 13), 10) == date(2026, 9, 9)
    assert calendar.add_school_days(date(2026, 12, 14), 10) == date(2027, 1, 11)
    assert calendar.school_days_between(date(2026, 12, 14), date(2027, 1, 11)) == 10


def test_school_days_between_is_antisymmetric():
    calendar = shipped()
    assert calendar.school_days_between(date(2026, 3, 2), date(2026, 2, 9)) == -10
    assert calendar.school_days_between(date(2026, 2, 9), date(2026, 2, 9)) == 0


def test_counting_past_the_last_term_names_the_boundary():
    with pytest.raises(CalendarRangeError) as caught:
        shipped().add_school_days(date(2027, 7, 19), 5)
    assert str(caught.value) == (
        "the Oxfordshire calendar has no term dates after 2027-07-21: "
        f"add the next school year to {SHIPPED}"
    )
    assert (caught.value.boundary, caught.value.side) == (date(2027, 7, 21), "after")
    with pytest.raises(CalendarRangeError, match="after 2027-07-21"):
        shipped().school_days_between(date(2027, 7, 1), date(2027, 9, 10))
    with pytest.raises(CalendarRangeError, match="after 2027-07-21"):
        shipped().is_school_day(date(2027, 9, 6))


def test_a_school_with_its_own_terms_is_told_where_to_add_them():
    with pytest.raises(CalendarRangeError) as caught:
        with_overrides().add_school_days(date(2026, 7, 10), 10, "Example Academy")
    assert str(caught.value) == (
        "the Oxfordshire calendar (school Example Academy) has no term dates after 2026-07-17: "
        'add the school\'s next terms to [schools."Example Academy"] in the calendar file'
    )


def test_counting_before_the_first_term_is_refused():
    assert shipped().add_school_days(date(2025, 9, 1), 1) == date(2025, 9, 2)
    with pytest.raises(CalendarRangeError, match="no term dates before 2025-09-02"):
        shipped().add_school_days(date(2025, 8, 30), 1)


def test_bad_arguments():
    with pytest.raises(ValueError, match="n must be 0 or more"):
        shipped().add_school_days(date(2026, 2, 9), -1)
    with pytest.raises(TypeError, match=r"datetime\.date"):
        shipped().add_school_days(datetime(2026, 2, 9, 10, 0), 1)


@st.composite
def start_and_count(draw: st.DrawFn) -> tuple[date, int]:
    start = draw(st.dates(min_value=date(2025, 9, 1), max_value=date(2027, 6, 1)))
    return start, draw(st.integers(min_value=1, max_value=25))


@given(start_and_count(), st.sampled_from([None, SCHOOL, "Example Academy"]))
def test_adding_then_counting_gives_back_n(case, school):
    start, n = case
    calendar = with_overrides()
    if school == "Example Academy":  # its own terms cover 2026 only
        start = min(max(start, date(2026, 1, 4)), date(2026, 6, 1))
    due = calendar.add_school_days(start, n, school)
    assert calendar.is_school_day(due, school)
    assert calendar.school_days_between(start, due, school) == n
    assert calendar.school_days_between(start, due - timedelta(days=1), school) == n - 1


# --- the calendar file ------------------------------------------------------------

GOOD_YEAR = """
name = "Test"
[[year]]
label = "2025-26"
terms = [["2025-09-02", "2025-12-19"], [2026-01-05, 2026-03-27]]
half_terms = [[2025-10-27, 2025-10-31]]
closures = ["2025-11-14", [2026-01-05, 2026-01-06]]
"""


def test_dates_may_be_strings_and_closures_ranges(tmp_path: Path):
    path = tmp_path / "test.toml"
    path.write_text(GOOD_YEAR, encoding="utf-8")
    calendar = load_calendar(path)
    assert not calendar.is_school_day(date(2025, 11, 14))
    assert calendar.add_school_days(date(2026, 1, 2), 1) == date(2026, 1, 7)


@pytest.mark.parametrize(
    ("edit", "key", "message"),
    [
        (('"2025-12-19"', '"2025-12-32"'), 'year."2025-26".terms[0][1]', "is not a date"),
        (('"2025-12-19"', '"19/12/2025"'), 'year."2025-26".terms[0][1]', "YYYY-MM-DD"),
        (("2025-10-31]]", "2025-10-31]]\ninsets = []"), 'year."2025-26".insets', "unknown key"),
        (
            ("[2025-10-27, 2025-10-31]", "[2025-12-27, 2025-12-31]"),
            'year."2025-26".half_terms',
            "not inside a term",
        ),
        (
            ("[2025-10-27, 2025-10-31]", "[2025-10-31, 2025-10-27]"),
            'year."2025-26".half_terms[0]',
            "ends (2025-10-27) before it starts",
        ),
        (('label = "2025-26"', ""), "year[0].label", "non-empty string"),
        (
            ("[2026-01-05, 2026-03-27]", "[2026-04-13, 2026-07-20]"),
            'year."2025-26".terms',
            "is a school year missing",
        ),
        (('"2025-11-14"', "2025-11-14T09:00:00"), 'year."2025-26".closures[0]', "not a date"),
        (
            ("", '[schools."9319998"]\ninset = [2025-09-01]\nterm = []\n'),
            'schools."9319998".term',
            "unknown key",
        ),
    ],
)
def test_file_errors_name_the_file_and_the_key(tmp_path: Path, edit, key, message):
    old, new = edit
    path = tmp_path / "broken.toml"
    path.write_text(GOOD_YEAR.replace(old, new, 1) if old else GOOD_YEAR + new, encoding="utf-8")
    with pytest.raises(CalendarError) as caught:
        load_calendar(path)
    assert (caught.value.source, caught.value.key) == (path, key)
    assert str(caught.value).startswith(f"{path}: {key}: ")
    assert message in caught.value.message


def test_unreadable_files(tmp_path: Path):
    path = tmp_path / "nonsense.toml"
    path.write_text("name = \n", encoding="utf-8")
    with pytest.raises(CalendarError, match=rf"^{path}: not valid TOML"):
        load_calendar(path)
    with pytest.raises(CalendarError, match="cannot read the file"):
        load_calendar(tmp_path / "missing.toml")


def test_written_file_reads_back_the_same(tmp_path: Path):
    spec = spec_from_toml(tomllib.loads(SHIPPED.read_text(encoding="utf-8") + OVERRIDES))
    path = tmp_path / "copy.toml"
    write_spec(spec, path)
    assert read_spec(path) == spec
    assert "inset = [\n    2026-02-27,\n]" in dump_spec(spec)


# --- iCalendar import -------------------------------------------------------------


def ics(*events: tuple[str, date | datetime, date | datetime | None]) -> bytes:
    """A feed with one event per (summary, start, DTEND); DTEND None means one day."""
    feed = icalendar.Calendar()
    feed.add("prodid", "-//cme tests//EN")
    feed.add("version", "2.0")
    for number, (summary, start, end) in enumerate(events):
        event = icalendar.Event()
        event.add("uid", f"{number}@cme.test")
        event.add("summary", summary)
        event.add("dtstart", start)
        if end is not None:
            event.add("dtend", end)
        feed.add_component(event)
    return feed.to_ical()


FEED_2027_28 = ics(
    ("Term 1 starts", date(2027, 9, 2), None),
    ("Term 1 ends", date(2027, 10, 22), None),
    ("Half term", date(2027, 10, 25), date(2027, 10, 30)),  # DTEND exclusive: 25-29 Oct
    ("Autumn term 2", date(2027, 11, 1), date(2027, 12, 18)),
    ("Christmas holiday", date(2027, 12, 20), date(2028, 1, 4)),
    ("Start of spring term", date(2028, 1, 4), None),
    ("INSET day", date(2028, 1, 7), None),
    ("February half-term", date(2028, 2, 14), date(2028, 2, 19)),
    ("Staff training day", datetime(2028, 3, 3, 9, 0), datetime(2028, 3, 3, 15, 0)),
    ("Last day of spring term", date(2028, 3, 31), None),
    ("Summer term", date(2028, 4, 3), date(2028, 7, 21)),
    ("Easter holiday", date(2028, 4, 10), date(2028, 4, 22)),
    ("Spring Bank Holiday", date(2028, 5, 29), None),
    ("Half term", date(2028, 5, 29), date(2028, 6, 3)),
    ("Term 6 ends", date(2028, 7, 20), None),
    ("Parents' evening", datetime(2027, 11, 10, 18, 0), datetime(2027, 11, 10, 20, 0)),
)


def test_ics_import_reads_the_rules(tmp_path: Path):
    feed = import_ics(FEED_2027_28, note="council feed")
    [year] = feed.years
    assert year.label == "2027-28"
    assert [(t.start, t.end) for t in year.terms] == [
        (date(2027, 9, 2), date(2027, 10, 22)),
        (date(2027, 11, 1), date(2027, 12, 17)),
        (date(2028, 1, 4), date(2028, 3, 31)),
        (date(2028, 4, 3), date(2028, 7, 20)),
    ]
    # The October half term falls between "Term 1" and "Autumn term 2": not needed.
    assert [(h.start, h.end) for h in year.half_terms] == [
        (date(2028, 2, 14), date(2028, 2, 18)),
        (date(2028, 4, 10), date(2028, 4, 21)),  # Easter holiday inside the summer term
        (date(2028, 5, 29), date(2028, 6, 2)),
    ]
    assert [c.start for c in year.closures] == [date(2028, 1, 7), date(2028, 3, 3)]
    assert year.source == "council feed"
    assert feed.skipped == (
        '"Parents\' evening" on 2027-11-10: not recognised',
        "'Term 6 ends' on 2028-07-20: no term start before it",
    )


def test_ics_import_merges_and_writes_a_reviewable_file(tmp_path: Path):
    source = tmp_path / "feed.ics"
    source.write_bytes(FEED_2027_28)
    merged = merge_import(read_spec(SHIPPED), import_ics(source))
    path = tmp_path / "oxfordshire.imported.toml"
    write_spec(merged, path)
    calendar = load_calendar(path)
    assert [year.label for year in calendar.spec.years] == ["2025-26", "2026-27", "2027-28"]
    assert calendar.spec.years[-1].source == "imported from feed.ics"
    assert calendar.add_school_days(date(2026, 2, 9), 10) == date(2026, 3, 2)  # unchanged
    assert calendar.add_school_days(date(2028, 4, 7), 1) == date(2028, 4, 24)
    assert calendar.add_school_days(date(2027, 10, 22), 1) == date(2027, 11, 1)
    assert calendar.add_school_days(date(2028, 1, 6), 1) == date(2028, 1, 10)
    assert not calendar.is_school_day(date(2028, 3, 3))
    assert calendar.known_terms().end == date(2028, 7, 20)


def test_ics_import_for_one_school_adds_its_inset_days():
    feed = import_ics(ics(("INSET Day", date(2026, 2, 27), None)))
    spec = merge_import(read_spec(SHIPPED), feed, school=SCHOOL)
    calendar = SchoolCalendar.from_spec(spec)
    assert calendar.add_school_days(date(2026, 2, 9), 10, SCHOOL) == date(2026, 3, 3)
    assert calendar.add_school_days(date(2026, 2, 9), 10) == date(2026, 3, 2)


def test_ics_import_refuses_a_year_without_terms():
    feed = import_ics(ics(("INSET day", date(2027, 9, 6), None)))
    with pytest.raises(CalendarError, match="no term dates: add that year's terms first"):
        merge_import(read_spec(SHIPPED), feed)


def test_ics_recurring_and_unpaired_events_are_reported():
    feed_bytes = ics(("Term 2 starts", date(2026, 11, 2), None)).replace(
        b"END:VEVENT", b"RRULE:FREQ=WEEKLY;COUNT=3\r\nEND:VEVENT"
    )
    assert import_ics(feed_bytes).skipped == (
        "'Term 2 starts' on 2026-11-02: recurring events are not expanded",
    )
    assert import_ics(ics(("Term 2 starts", date(2026, 11, 2), None))).skipped == (
        "'Term 2 starts' on 2026-11-02: no term end after it",
    )


def test_ics_garbage_is_a_calendar_error():
    with pytest.raises(CalendarError, match="not an iCalendar file"):
        import_ics(b"this is not a calendar")


@pytest.mark.parametrize(
    ("summary", "kind"),
    [
        ("Term 1 starts", "term_start"),
        ("Start of Spring Term", "term_start"),
        ("Autumn term ends", "term_end"),
        ("Last day of summer term", "term_end"),
        ("Half Term", "half_term"),
        ("October half-term holiday", "half_term"),
        ("INSET day (school closed to pupils)", "closure"),
        ("Christmas holiday", "holiday"),
        ("Early May Bank Holiday", "bank_holiday"),
        ("Autumn Term", "term"),
        ("Sports day", None),
    ],
)
def test_ics_summary_rules(summary, kind):
    assert classify(summary) == kind


def test_cme_calendar_import_writes_a_merged_file_for_review(tmp_path):
    import icalendar

    from tests.conftest import run_cme, write_config

    feed = icalendar.Calendar()
    feed.add("prodid", "-//Example Council//Term dates//EN")
    feed.add("version", "2.0")
    for summary, day in (("INSET day", date(2026, 1, 5)),):
        event = icalendar.Event()
        event.add("summary", summary)
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("uid", f"{day}@example.gov.uk")
        feed.add_component(event)
    ics = tmp_path / "school.ics"
    ics.write_bytes(feed.to_ical())
    config = write_config(tmp_path)
    out = tmp_path / "merged.toml"
    result = run_cme(config, "calendar", "import", str(ics), "--school", "9319998",
                     "--out", str(out))
    assert result.returncode == 0, result.stderr
    merged = load_calendar(out)
    assert not merged.is_school_day(date(2026, 1, 5), "9319998")
    assert merged.is_school_day(date(2026, 1, 5))
