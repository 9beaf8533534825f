"""Organization phrases: coordination, classes of bodies, qualified heads. Invented fixture texts."""
from __future__ import annotations

from kg.extract import extract
from kg.parse import parse_text

from conftest import render_doc


def doc(body: str, title: str = "Journal of Soviet Ambassador V. K. Morozov for 3 March 1961", **parts):
    return extract(parse_text(render_doc(title=title, body=body, **parts), "fixture.txt"))


def org_names(ed) -> set[str]:
    return {o.name for o in ed.organizations}


def assert_quotes_hold(ed):
    for record in ed.organizations:
        for m in record.mentions:
            assert ed.doc.text[m.start:m.end] == m.text


# --- coordination -----------------------------------------------------------------------

def test_coordinated_ordinals_name_one_unit_each():
    ed = doc("3 March 1961\n\nThe inspection covered the Guard 3rd and 4th Divisions near the coast.\n")
    found = org_names(ed)
    assert {"Guard 3rd Division", "Guard 4th Division"} <= found
    assert not any("Divisions" in n for n in found)
    assert_quotes_hold(ed)


def test_coordinated_countries_name_one_embassy_each():
    ed = doc("3 March 1961\n\nThe note went to the Hungarian and Bulgarian Embassies on the same day.\n")
    found = org_names(ed)
    assert {"Hungarian Embassy", "Bulgarian Embassy"} <= found
    assert "Bulgarian Embassies" not in found


def test_coordinated_adjectives_of_a_collective_name_stay_together():
    ed = doc("3 March 1961\n\nHe greeted the leaders of the Communist and Workers Parties of Europe.\n")
    found = org_names(ed)
    assert any(n.startswith("Communist and Workers Parties") for n in found), found
    assert "Workers Parties" not in found


# --- classes of bodies ------------------------------------------------------------------

def test_a_plural_head_alone_is_a_class_not_a_body():
    ed = doc("3 March 1961\n\nThe Central Committees of the parties approved it. Two Foreign Ministries objected. "
             "The Central Committee met on Monday.\n")
    found = org_names(ed)
    assert "Central Committees" not in found and "Foreign Ministries" not in found
    assert "Central Committee" in found


# --- complements ------------------------------------------------------------------------

def test_compass_word_opens_an_of_complement():
    ed = doc("3 March 1961\n\nWe received the Delegation of the North Korean Supreme People's Assembly at noon.\n")
    assert "Delegation of the North Korean Supreme People's Assembly" in org_names(ed)


def test_variants_of_one_body_named_through_the_same_known_organization_are_one():
    ed = doc("3 March 1961\n\nWe received the Delegation of the North Korean Supreme People's Assembly at noon. "
             "Later the Delegation of the Korean Supreme People's Assembly left for the station.\n")
    delegations = [o for o in ed.organizations if o.name.startswith("Delegation of")]
    assert len(delegations) == 1
    assert delegations[0].name == "Delegation of the North Korean Supreme People's Assembly"
    assert len(delegations[0].mentions) == 2
    assert_quotes_hold(ed)


# --- a dispatch's addresses belong to one foreign service ------------------------------

def test_cable_from_a_foreign_ministry_to_its_embassy():
    ed = doc("To the Embassy in Pyongyang:\n\nReport on the harvest by the end of the month.\n\nForeign Ministry\n",
             title="Cable from the Hungarian Foreign Ministry on the Harvest")
    embassy = [o for o in ed.organizations if o.gazetteer_id == "hungarian-embassy-pyongyang"]
    assert embassy and embassy[0].mentions[0].text == "Embassy in Pyongyang"
    assert "Embassy in Pyongyang" not in org_names(ed)
    assert_quotes_hold(ed)


def test_telegram_from_an_embassy_to_its_foreign_ministry():
    ed = doc("To: Foreign Ministry, Prague\n\nFrom: Ambassador\n\nThe harvest is good.\n",
             title="Telegram from the Czechoslovak Embassy in Pyongyang, 3 March 1961")
    assert "czechoslovak-mfa" in {o.gazetteer_id for o in ed.organizations}
    assert "Foreign Ministry" not in org_names(ed)


def test_an_embassy_the_gazetteer_does_not_know_takes_the_service_qualifier():
    ed = doc("To the Embassy in Ulaanbaatar:\n\nReport on the harvest.\n",
             title="Cable from the Hungarian Foreign Ministry on the Harvest")
    assert "Hungarian Embassy in Ulaanbaatar" in org_names(ed)


def test_foreign_ministry_in_the_running_text_of_a_journal_is_not_the_authors():
    ed = doc("3 March 1961\n\nI visited the Foreign Ministry and spoke with Ri Hyon-u.\n",
             title="Journal of Hungarian Ambassador V. K. Morozov for 3 March 1961")
    assert "hungarian-mfa" not in {o.gazetteer_id for o in ed.organizations}


# --- a party secretary of a level names that level's committee -------------------------

def test_provincial_secretary_names_the_provincial_committee():
    ed = doc("Present: Hebei Provincial First Secretary Wang Dongxing; Provincial Committee Second Secretary "
             "Choe Sung-ho.\n\nWang Dongxing: Welcome.\n",
             title="Record of Conversation between Wang Dongxing and Choe Sung-ho")
    committees = [o for o in ed.organizations if o.name == "Hebei Provincial Committee"]
    assert committees, org_names(ed)
    quotes = {m.text for m in committees[0].mentions}
    assert quotes == {"Hebei Provincial", "Provincial Committee"}  # the bare later mention is the same committee
    assert "Provincial Committee" not in org_names(ed)
    assert {"Wang Dongxing", "Choe Sung-ho"} <= {p.name for p in ed.people}
    assert_quotes_hold(ed)


def test_a_title_before_the_level_is_not_part_of_the_committee():
    ed = doc("3 March 1961\n\nI met Comrade Hebei Municipal Secretary Choe Sung-ho today.\n")
    assert "Hebei Municipal Committee" in org_names(ed)
    assert not any(n.startswith("Comrade") for n in org_names(ed))


# --- qualifiers written around a generic head ------------------------------------------

def test_unit_followed_by_its_parent_after_a_comma_is_the_parents_unit():
    ed = doc("Participants:\n\nRi Hyon-u, Chief of the Political Bureau, Central Committee, Workers' Party of Korea\n\n"
             "Ri Hyon-u: Welcome.\n", title="Conversation with Ri Hyon-u")
    by_slug = {o.gazetteer_id: o for o in ed.organizations}
    assert "kwp-central-committee" in by_slug and "kwp-politburo" in by_slug
    assert {m.text for m in by_slug["kwp-politburo"].mentions} == {"Political Bureau"}
    assert "Central Committee" not in org_names(ed)
    assert_quotes_hold(ed)


def test_a_chain_of_demonyms_qualifies_one_group():
    ed = doc("3 March 1961\n\nThey invited a Soviet Communist delegation to the congress.\n")
    found = org_names(ed)
    assert "Soviet Communist delegation" in found and "Communist delegation" not in found
