"""``cme search`` (issue 10, item 5): children and cases by a misspelt name, a UPN, a
date of birth in any UK form, a postcode or a reference, over a register of 1,200
synthetic children, in a fixed number of queries."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, date, datetime, timedelta

import pytest

from cme.config import load_config
from register.db import bind, db
from register.models import Case, Child, ChildAddress
from register.queries import insert_rows
from register.search import find
from tests.conftest import run_cme, write_config
from workflows.cases import next_reference

NOW = datetime(2026, 2, 9, 9, tzinfo=UTC)
FORENAMES = ("Alfie", "Bea", "Cyrus", "Dora", "Ewan", "Freya", "Gus", "Hattie", "Ivo", "Jess",
             "Kit", "Lola", "Monty", "Nell", "Otis", "Pip", "Quinn", "Rosa", "Seb", "Tilly")
SURNAMES = ("Ashdown", "Birchall", "Copperfield", "Dunmore", "Elmswood", "Fairbrook", "Greyling",
            "Hartwell", "Ironside", "Juniper", "Kingsley", "Larchmont", "Merriweather",
            "Northcott", "Oakhurst", "Pembridge", "Quarrington", "Rookwood", "Stanway",
            "Thornbury", "Underhill", "Valentine", "Whitlock", "Yardley", "Zellwood",
            "Ambleside", "Brackenridge", "Cottingham", "Dovecote", "Everleigh", "Foxcombe",
            "Gatherley", "Holloway", "Ingleby", "Jessop", "Kettering", "Lockwood", "Marchbank",
            "Netherby", "Ormsby", "Penrose", "Quenby", "Redfern", "Sandiford", "Tattersall",
            "Upwood", "Vickery", "Wainwright", "Yelverton", "Zouch", "Allerton", "Bramwell",
            "Chesterton", "Darnley", "Eastwood", "Fenwick", "Goodall", "Hepworth", "Ibbotson",
            "Jarvis")
UPN = "A123456789012"  # check letter A (parsers/validate.py)


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    folder = tmp_path_factory.mktemp("search")
    config = write_config(folder)
    database = bind(load_config(config).register.url)
    born = date(2016, 1, 1)  # none born on Maya's day, 3 April 2015
    rows = [{"forenames": f, "surname": s, "dob": born + timedelta(days=n % 700), "upn": None,
             "gender": None, "created_at": NOW, "merged_into": None}
            for n, (f, s) in enumerate(itertools.product(FORENAMES, SURNAMES))]
    assert len(rows) == 1200
    with db.atomic():
        insert_rows(Child, rows)
        maya = Child.create(forenames="Maya", surname="Hollowell", dob=date(2015, 4, 3), upn=UPN,
                            created_at=NOW)
        ChildAddress.create(child=maya, address="1 Example Road, Oxford", postcode="OX4 1AA",
                            recorded_at=NOW)
        first = Case.create(reference=next_reference(2026), kind="cme_notification",
                            child=maya, opened=date(2026, 2, 9))
        second = Case.create(reference=next_reference(2026), kind="agency_referral",
                             child=maya, opened=date(2026, 2, 12))
        # an older record of Maya, merged into her: found as Maya
        Child.create(forenames="Maia", surname="Holloway-Hollowell", dob=date(2015, 4, 3),
                     created_at=NOW, merged_into=maya)
    yield {"config": config, "maya": maya.id, "references": [first.reference, second.reference]}
    database.close()
    db.initialize(None)


@pytest.fixture
def bound(register):
    database = bind(load_config(register["config"]).register.url)
    yield register
    database.close()
    db.initialize(None)


def first_hit(text: str) -> dict:
    hits = find(text)
    assert hits, f"nothing found for {text!r}"
    return hits[0]


@pytest.mark.parametrize("text", ["Maya Holowel", "maya hollowel", "Hollowell Maya",
                                  "Hollowel", "Maya Hollowel"])
def test_a_misspelt_name_finds_the_child_first(bound, text):
    hit = first_hit(text)
    assert hit["child"]["id"] == bound["maya"] and hit["matched"] == "name"
    assert hit["cases"] == bound["references"]
    assert hit["child"]["postcode"] == "OX4 1AA" and hit["child"]["upn"] == UPN


@pytest.mark.parametrize("text", ["3.4.15", "03/04/2015", "3 April 2015", "2015-04-03",
                                  "3rd Apr 2015", "03-04-15"])
def test_a_date_of_birth_in_any_uk_form(bound, text):
    hits = find(text)
    assert [h["child"]["id"] for h in hits] == [bound["maya"]]  # no synthetic child born then
    assert hits[0]["matched"] == "date of birth"


def test_a_name_with_a_date_of_birth_ranks_first(bound):
    hit = first_hit("Maya Holowell 3.4.15")
    assert hit["child"]["id"] == bound["maya"] and hit["matched"] == "name and date of birth"


@pytest.mark.parametrize("text", [UPN, UPN.lower(), "A123 4567 8901 2"])
def test_a_upn(bound, text):
    hit = first_hit(text)
    assert hit["child"]["id"] == bound["maya"] and hit["matched"] == "UPN"


@pytest.mark.parametrize("text", ["OX4 1AA", "ox41aa", "OX4  1aa"])
def test_a_postcode_with_or_without_its_space(bound, text):
    hit = first_hit(text)
    assert hit["child"]["id"] == bound["maya"] and hit["matched"] == "postcode"


def test_a_reference_whole_or_in_part(bound):
    reference = bound["references"][1]
    hit = first_hit(reference.lower())
    assert hit["matched"] == f"reference {reference}" and hit["child"]["id"] == bound["maya"]
    assert hit["cases"] == bound["references"]  # all of the child's cases
    serial = reference.split("-")[2]
    assert first_hit(serial)["matched"] == f"part of a reference {reference}"


def test_a_child_found_twice_takes_one_place_within_the_limit(bound):
    # Both of Maya's references hold "CME-2026": found by each and by nothing else, she is
    # one hit, and the limit counts her once.
    hits = find("CME-2026", limit=1)
    assert len(hits) == 1 and hits[0]["child"]["id"] == bound["maya"]
    assert [h["child"]["id"] for h in find("CME-2026")].count(bound["maya"]) == 1


def test_a_merged_record_is_found_as_the_child_it_was_merged_into(bound):
    hit = first_hit("Maia Holloway-Hollowell")
    assert hit["child"]["id"] == bound["maya"]
    assert hit["matched"].startswith("name (as merged child ")


def test_nothing_found(bound):
    assert find("Zebedee Quux") == []
    assert find("   ") == []


def test_a_fixed_number_of_queries_for_1200_children(bound, monkeypatch):
    database = db.obj
    sent = []
    execute = database.execute_sql

    def counting(sql, params=None, *args, **kwargs):
        sent.append(sql)
        return execute(sql, params, *args, **kwargs)

    monkeypatch.setattr(database, "execute_sql", counting)
    for text in ("Maya Holowel", "3.4.15", "OX4 1AA", UPN, "Tilly"):
        sent.clear()
        find(text)
        assert len(sent) <= 6, (text, sent)  # three to find, three to fill the hits


def test_search_on_the_command_line(register):
    config = register["config"]
    env = {"CME_NOW": "2026-02-10T10:00"}
    text = run_cme(config, "search", "Maya", "Holowel", env=env).stdout
    header, _, first, *_ = text.splitlines()
    assert header.split() == ["child", "name", "born", "UPN", "postcode", "cases", "matched"]
    assert "Maya Hollowell" in first and " ".join(register["references"]) in first
    hits = json.loads(run_cme(config, "search", "3.4.15", "--json", env=env).stdout)
    assert hits[0]["child"]["surname"] == "Hollowell"
    assert set(hits[0]) == {"score", "matched", "child", "cases"}
    nothing = run_cme(config, "search", "Zebedee", "Quux", env=env)
    assert nothing.returncode == 0 and nothing.stdout.strip() == "no matches"
