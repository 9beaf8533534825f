"""Extraction rules, one small invented document per pattern."""
from __future__ import annotations

import pytest

from kg.extract import extract
from kg.parse import parse_text
from kg.resolve import resolve

from conftest import render_doc


def doc(body: str, title: str = "Journal of Soviet Ambassador V. K. Morozov for 3 March 1961", **parts):
    text = render_doc(title=title, body=body, **parts)
    return extract(parse_text(text, "fixture.txt"))


def person(ed, name):
    found = [p for p in ed.people if p.name == name]
    assert found, f"{name!r} not among {[p.name for p in ed.people]}"
    return found[0]


def names(ed) -> set[str]:
    return {p.name for p in ed.people}


# --- name forms -----------------------------------------------------------------

@pytest.mark.parametrize("sentence,expected", [
    ("Today V. K. Morozov arrived at the station.", "V. K. Morozov"),
    ("The list was prepared by Belov K.I. on his return.", "Belov K.I."),
    ("Cde. Ivanenko was present at the dinner.", "Ivanenko"),
    ("He then spoke with Comrade Tarasov about the harvest.", "Tarasov"),
    ("The plan was sent to Marshal of the Soviet Union Kulikov for approval.", "Kulikov"),
    ("We were joined by Military Attaché B. N. Sokolov in the evening.", "B. N. Sokolov"),
    ("Ri Hyon-u described the harvest in the northern provinces.", "Ri Hyon-u"),
    ("The report of Wang Dongxing was read aloud.", "Wang Dongxing"),
    ("It was reported that Nguyen Van Linh had left for Hanoi.", "Nguyen Van Linh"),
    ("Fyodor Lebedev, Chief of the Directorate, signed the order.", "Fyodor Lebedev"),
])
def test_name_forms(sentence, expected):
    ed = doc(f"3 March 1961\n\n{sentence}\n")
    assert expected in names(ed)


def test_capitals_in_headings_join_the_same_person():
    ed = doc("JOURNAL\n\nof Soviet Ambassador V. K. MOROZOV\n\n3 March 1961\n\nV. K. Morozov met nobody today.\n")
    p = person(ed, "V. K. Morozov")
    assert "V. K. MOROZOV" in p.forms


def test_bracketed_romanization_is_one_person():
    ed = doc("3 March 1961\n\nWe discussed the matter with Ri Hyon-u [Ri Hyon U]. Ri Hyon-u agreed.\n")
    p = person(ed, "Ri Hyon-u")
    assert "Ri Hyon U" in p.forms
    assert not any(q.name == "Ri Hyon U" for q in ed.people)


def test_cover_name_in_brackets():
    ed = doc("3 March 1961\n\nA telegram from Fedorov [Smirnov] arrived. Fedorov asked for an answer.\n")
    p = person(ed, "Smirnov")
    assert "Fedorov" in p.cover_names and "Fedorov" in p.forms


def test_editorial_completion_of_a_name():
    ed = doc("3 March 1961\n\nThe message of [Foreign Minister Andrei] Zorin was read. Premier Liang [Shuwen] replied.\n")
    assert {"Andrei Zorin", "Liang Shuwen"} <= names(ed)
    assert "Foreign Minister" in person(ed, "Andrei Zorin").roles


def test_possessive_and_surname_repeat_resolve_to_the_full_name():
    ed = doc("3 March 1961\n\nComrade Pavel Tarasov arrived. Tarasov's report was good and Tarasov said so.\n")
    p = person(ed, "Pavel Tarasov")
    assert len(p.mentions) == 3


def test_role_phrase_stands_for_the_person_introduced_with_it():
    ed = doc("3 March 1961\n\nI visited Ri Hyon-u together with Military Attaché B. N. Sokolov. "
             "The Military Attaché informed Ri Hyon-u about the exercises.\n")
    p = person(ed, "B. N. Sokolov")
    assert any(m.method == "role-reference" and m.text == "Military Attaché" for m in p.mentions)


def test_author_of_a_journal_and_first_person():
    ed = doc("3 March 1961\n\nI visited Ri Hyon-u at his request. Ri Hyon-u said that the harvest was good.\n")
    assert [person(ed, "V. K. Morozov").key] == ed.authors


def test_people_in_stamps_and_handwritten_notes():
    ed = doc("[handwriting: to Cde. Zaitsev for implementation. V. Lebedev]\n\n3 March 1961\n\n"
             "I visited Ri Hyon-u at his request and we talked for an hour about the harvest.\n")
    assert {"Zaitsev", "V. Lebedev"} <= names(ed)
    assert ed.doc.notes and ed.doc.notes[0].kind == "handwriting"


def test_translator_from_the_citation():
    ed = doc("3 March 1961\n\nI visited Ri Hyon-u at his request.\n",
             citation='"Journal", March 3, 1961, Wilson Center Digital Archive, AVPRF fond 1, opis 2, delo 3. '
                      'Translated for NKIDP by Olga Sorensen.')
    p = person(ed, "Olga Sorensen")
    assert p.key in ed.translators and "translator" in p.roles


def test_different_people_with_a_common_prefix_stay_apart():
    ed = doc("3 March 1961\n\nKim Il Sung received the delegation. Kim Il said the plan was ready. "
             "Pak Seong-cheol and Pak Yeong-guk were present.\n")
    assert {"Kim Il Sung", "Kim Il", "Pak Seong-cheol", "Pak Yeong-guk"} <= names(ed)


# --- organizations and places ---------------------------------------------------------

def test_places_and_their_abbreviations_are_one_entity():
    ed = doc("3 March 1961\n\nRelations between the USSR and the DPRK are good. The Soviet Union will help North Korea.\n")
    by_name = {p.name: p for p in ed.places}
    assert {"Soviet Union", "North Korea"} <= set(by_name)
    assert {"USSR", "Soviet Union"} <= set(by_name["Soviet Union"].forms)


def test_organization_phrase_with_a_head_noun():
    ed = doc("3 March 1961\n\nWe arranged it with the Main Directorate of the Civil Air Fleet yesterday.\n")
    assert "Main Directorate of the Civil Air Fleet" in {o.name for o in ed.organizations}


def test_organization_phrase_does_not_swallow_a_person():
    ed = doc("Participants:\n\nRi Hyon-u Co-chairman of the Coordinating Committee\n\nRi Hyon-u: Welcome.\n",
             title="Conversation with Ri Hyon-u")
    assert "Ri Hyon-u" in names(ed)
    assert "Coordinating Committee" in {o.name for o in ed.organizations}


# --- meetings ------------------------------------------------------------------------

JOURNAL = """3 March 1961

I visited Ri Hyon-u together with Counselor B. N. Sokolov. Ri Hyon-u said that the harvest was good. The conversation lasted about two hours.

5 March 1961

Wang Dongxing visited me at the Embassy. Wang Dongxing asked about the exhibition. Choe Sung-ho was present at the conversation.
"""


def test_journal_entries_give_dated_meetings_with_roles():
    ed = doc(JOURNAL)
    by_date = {m.date.iso: m for m in ed.meetings}
    assert set(by_date) == {"1961-03-03", "1961-03-05"}
    key = {p.key: p.name for p in ed.people}
    first = {key[p.person_key]: p.role for p in by_date["1961-03-03"].participants}
    assert first == {"V. K. Morozov": "visitor", "Ri Hyon-u": "host", "B. N. Sokolov": "delegation member"}
    assert by_date["1961-03-03"].duration_minutes == 120
    second = {key[p.person_key]: p.role for p in by_date["1961-03-05"].participants}
    assert second["Wang Dongxing"] == "visitor" and second["V. K. Morozov"] == "host"
    assert second["Choe Sung-ho"] == "present"


def test_people_only_mentioned_are_not_participants():
    ed = doc("3 March 1961\n\nI visited Ri Hyon-u. Ri Hyon-u said that Wang Dongxing had praised the plan in 1955.\n")
    (meeting,) = ed.meetings
    key = {p.key: p.name for p in ed.people}
    assert "Wang Dongxing" not in {key[p.person_key] for p in meeting.participants}


def test_record_with_participants_block_and_speaker_labels():
    body = ("Time: 6:40 p.m., 15 June 1962\n\nPlace: Guest House\n\nParticipants: Wang Dongxing, Choe Sung-ho\n\n"
            "Interpreter: Liang Shuwen\n\nWang Dongxing: Welcome to our city.\n\nChoe Sung-ho: Thank you.\n")
    ed = doc(body, title="Record of Conversation between Wang Dongxing and Choe Sung-ho", date="June 15, 1962")
    (meeting,) = ed.meetings
    key = {p.key: p.name for p in ed.people}
    roles = {key[p.person_key]: p.role for p in meeting.participants}
    assert meeting.date.iso == "1962-06-15"
    assert roles["Liang Shuwen"] == "interpreter"
    assert {"Wang Dongxing", "Choe Sung-ho"} <= set(roles)
    assert meeting.place_text == "Guest House"


def test_minutes_with_a_participating_list():
    body = ("Participating: T. Kovacs [Hu], J. Novak [Cz], W. Nowicki [Po].\n\n"
            "Cde. Nowicki opened the meeting and greeted the delegations.\n")
    ed = doc(body, title="Minutes of the Meeting of the Committee", date="January 20, 1965")
    (meeting,) = ed.meetings
    key = {p.key: p.name for p in ed.people}
    assert {key[p.person_key] for p in meeting.participants} == {"T. Kovacs", "J. Novak", "W. Nowicki"}
    assert {"Hungary", "Czechoslovakia", "Poland"} <= {p.name for p in ed.places}


def test_reported_meeting_with_its_own_date():
    body = ("3 March 1961\n\nI visited Ri Hyon-u at his request.\n\n[1] Wang Dongxing had come to Pyongyang on "
            "1 March 1961 to meet with Choe Sung-ho.\n")
    ed = doc(body)
    dates = sorted(m.date.iso for m in ed.meetings if m.date)
    assert "1961-03-01" in dates


# --- topics and evidence --------------------------------------------------------------

def test_topics_are_assigned_with_scores_and_evidence():
    ed = doc("3 March 1961\n\nI visited Ri Hyon-u. We discussed nuclear weapons and the supply of weapons, "
             "and nuclear weapons again.\n")
    topics = {t.concept: t for t in ed.topics}
    assert "nuclear-weapons" in topics
    t = topics["nuclear-weapons"]
    assert 0 < t.score <= 1 and all(ed.doc.text[m.start:m.end] == m.text for m in t.evidence)


def test_every_mention_quote_is_the_text_at_its_offsets():
    ed = doc(JOURNAL)
    text = ed.doc.text
    for record in (*ed.people, *ed.organizations, *ed.places):
        for m in record.mentions:
            assert text[m.start:m.end] == m.text
            assert 0 < m.confidence <= 1 and m.method
    for meeting in ed.meetings:
        for p in meeting.participants:
            assert text[p.evidence.start:p.evidence.end] == p.evidence.text


# --- one person, one URI ----------------------------------------------------------------

def _resolved(*bodies):
    docs = []
    for i, body in enumerate(bodies):
        text = render_doc(title=f"Note number {i}", body=body)
        docs.append(extract(parse_text(text, f"doc{i}.txt")))
    return docs, resolve(docs)


def _slug(docs, res, i, name):
    rec = next(p for p in docs[i].people if name in p.forms or p.name == name)
    return res.of(docs[i].doc.doc_id, rec.key).slug


def test_same_person_across_documents_gets_one_identity():
    docs, res = _resolved("Cde. Kim Il Sung received the delegation.",
                          "KIM IL SUNG: We welcome you.\n\nKIM IL SUNG: Please sit down.",
                          "Military Attaché A. A. D'yakonov arrived.",
                          "Military Attaché A. A. Dyakonov left.",
                          "Comrade A. Gromyko noted the progress.",
                          "[Soviet Foreign Minister Andrei] Gromyko said no.")
    assert _slug(docs, res, 0, "Kim Il Sung") == _slug(docs, res, 1, "KIM IL SUNG")
    assert _slug(docs, res, 2, "A. A. D'yakonov") == _slug(docs, res, 3, "A. A. Dyakonov")
    assert _slug(docs, res, 4, "A. Gromyko") == _slug(docs, res, 5, "Andrei Gromyko")


def test_different_people_are_never_merged_across_documents():
    docs, res = _resolved("Cde. Kim Il Sung received the delegation.",
                          "Cde. Kim Il received the delegation.",
                          "Comrade Andrei Gromyko spoke.",
                          "Comrade Boris Gromyko spoke.")
    assert _slug(docs, res, 0, "Kim Il Sung") != _slug(docs, res, 1, "Kim Il")
    assert _slug(docs, res, 2, "Andrei Gromyko") != _slug(docs, res, 3, "Boris Gromyko")


def test_two_documents_reporting_one_meeting_share_it():
    from kg.uris import Minter

    soviet = render_doc(title="Journal of Soviet Ambassador V. K. Morozov for 3 March 1961",
                        body="3 March 1961\n\nI visited Ri Hyon-u together with Counselor B. N. Sokolov. Ri Hyon-u said the harvest was good.\n")
    korean = render_doc(title="Record of Conversation between Ri Hyon-u and Ambassador V. K. Morozov",
                        body="Time: 3 March 1961\n\nParticipants: Ri Hyon-u, V. K. Morozov\n\nRi Hyon-u: The harvest is good.\n\nV. K. Morozov: Good.\n")
    other_day = render_doc(title="Record of Conversation between Ri Hyon-u and Ambassador V. K. Morozov, again",
                           body="Time: 9 March 1961\n\nParticipants: Ri Hyon-u, V. K. Morozov\n\nRi Hyon-u: Welcome back.\n")
    docs = [extract(parse_text(t, f"{name}.txt")) for name, t in (("soviet", soviet), ("korean", korean), ("later", other_day))]
    res = resolve(docs)
    minter = Minter()
    uri = {ed.doc.doc_id: res.meeting_uri(minter, ed.doc.doc_id, 0) for ed in docs}
    assert uri["soviet"] == uri["korean"]  # same day, the same two people: parallel accounts of one meeting
    assert uri["later"] != uri["soviet"]
