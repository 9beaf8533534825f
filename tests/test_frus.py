"""Records of a second archive: FRUS plain text, TEI volumes, and texts in no known layout.

Every fixture under tests/fixtures/ is invented for these tests.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from kg.extract import extract
from kg.extract.people import participants_lists
from kg.frus import parse_source_note
from kg.parse import ParseError, detect_layout, normalize_text, parse_file, parse_text
from kg.records import ParsedDocument
from kg.tei import display_name, parse_tei_file, parse_tei_text

from conftest import render_doc

FIXTURES = Path(__file__).parent / "fixtures"
MEMCON = FIXTURES / "frus" / "frus-test-v01-d412.txt"
TELEGRAM = FIXTURES / "frus" / "frus-test-v01-d88.txt"
PLAIN = FIXTURES / "plain" / "harbour-notes.txt"
VOLUME = FIXTURES / "tei" / "frus-test-v02.xml"


def spans_of(doc: ParsedDocument):
    spans = [doc.title_span, doc.citation, doc.summary, doc.credits, doc.body, doc.place_written, doc.issuing_body]
    spans += doc.translators + doc.obtained_by + [n.span for n in doc.notes]
    return [s for s in spans if s is not None]


def assert_offsets(doc: ParsedDocument) -> None:
    for span in spans_of(doc):
        assert doc.text[span.start:span.end] == span.text, span
    for hint in doc.hints:
        assert doc.text[hint.start:hint.end] == hint.text, hint
    ed = extract(doc)
    for record in (*ed.people, *ed.organizations, *ed.places):
        for m in record.mentions:
            assert doc.text[m.start:m.end] == m.text, (record.name, m)
    for meeting in ed.meetings:
        for part in meeting.participants:
            assert doc.text[part.evidence.start:part.evidence.end] == part.evidence.text


def person(ed, name: str):
    found = [p for p in ed.people if p.name == name]
    assert found, f"{name!r} not among {[p.name for p in ed.people]}"
    return found[0]


# --- layout detection -----------------------------------------------------------

def test_each_layout_is_recognised():
    assert detect_layout(normalize_text(render_doc(title="Journal of Ambassador K. Varga", body="Text."))) == "wilson"
    assert detect_layout(MEMCON.read_text(encoding="utf-8")) == "frus"
    assert detect_layout(TELEGRAM.read_text(encoding="utf-8")) == "frus"
    assert detect_layout(VOLUME.read_text(encoding="utf-8")) == "tei"
    assert detect_layout(PLAIN.read_text(encoding="utf-8")) == "plain"


def test_a_date_line_without_a_bold_title_is_still_a_broken_wilson_document():
    # the Wilson Center layout starts with its date line: without the **title** it is refused as before
    with pytest.raises(ParseError, match="title"):
        parse_text("May 1, 1960\n\nJust some text without a title.\n", "notitle.txt")


def test_a_numbered_line_alone_is_not_a_frus_heading():
    doc = parse_text("1. Introduction\n\nSome text follows here.\n", "list.txt")
    assert any("no recognised layout" in w for w in doc.warnings)


# --- FRUS plain text ---------------------------------------------------------------

def test_frus_heading_dateline_and_source_note():
    doc = parse_file(MEMCON)
    assert doc.doc_id == "frus-test-v01-d412"
    assert doc.title == "Memorandum of Conversation"
    assert doc.title_span.text == "Memorandum of Conversation"
    assert doc.date.iso == "1962-03-14" and doc.date.precision == "day"
    assert doc.place_written.text == "Washington"
    assert doc.doc_type == "memorandum_of_conversation"
    assert doc.classification == "Confidential"
    ref = doc.archival_reference
    assert (ref.repository, ref.opis, ref.delo) == ("Department of State", "Central Files", "611.6141/3-1462")
    assert doc.citation.text.startswith("Department of State, Central Files") and "Drafted by Virtanen" in doc.citation.text
    # the body is everything after the heading, the footnotes included
    assert doc.body.text.startswith("Washington, March 14, 1962")
    assert "[Footnote: Pellbrook's memorandum" in doc.body.text
    assert not doc.warnings
    assert_offsets(doc)


def test_frus_telegram_signature_number_and_classification():
    doc = parse_file(TELEGRAM)
    assert doc.doc_type == "telegram"
    assert doc.title == "Telegram From the Embassy in Finland to the Department of State"
    assert doc.issuing_body.text == "Embassy in Finland"
    assert doc.date.iso == "1961-10-03"
    assert doc.place_written.text == "Helsinki"
    assert doc.classification == "Secret"
    assert doc.outgoing_number == "214"
    assert [n.span.text for n in doc.notes if n.kind == "signature"] == ["Trask"]
    assert_offsets(doc)


def test_source_note_parts():
    ref, level, drafters = parse_source_note(
        "National Archives and Records Administration, RG 59, Central Files 1961–63, POL 7 FIN. "
        "Top Secret; Immediate; Limdis. Drafted by Q. Arnott and Lena Hobbs; cleared by the White House.")
    assert ref.repository == "National Archives and Records Administration"
    assert (ref.fond, ref.opis, ref.delo) == ("RG 59", "Central Files 1961–63", "POL 7 FIN")
    assert level == "Top Secret"
    note = ("National Archives and Records Administration, RG 59, Central Files 1961–63, POL 7 FIN. "
            "Top Secret; Immediate; Limdis. Drafted by Q. Arnott and Lena Hobbs; cleared by the White House.")
    assert [note[s:e] for s, e in drafters] == ["Q. Arnott", "Lena Hobbs"]
    ref, level, _ = parse_source_note("Eisenhower Library, Whitman File, Dulles–Herter Series. Secret; Eyes Only.")
    assert (ref.repository, ref.opis, ref.delo, level) == ("Eisenhower Library", "Whitman File", "Dulles–Herter Series", "Secret")


def test_heading_date_used_when_there_is_no_dateline():
    doc = parse_text("7. Memorandum of a Conversation, Department of State, Washington, May 2, 1963\n\n"
                     "SUBJECT\nTrade\n\nThe two sides talked about trade.\n\n"
                     "Source: Department of State, Central Files, 400.1/5-263. Confidential.\n", "/x/d7.txt")
    assert doc.date.iso == "1963-05-02"
    assert doc.place_written.text == "Washington"
    assert doc.doc_id == "d7"


# --- participants lists ---------------------------------------------------------------

def test_participants_list_groups_roles_and_offices():
    doc = parse_file(MEMCON)
    ((block, entries),) = participants_lists(doc.text, doc.body.start, doc.body.end)
    got = [(e.name.text if e.name else None, e.office, e.role, e.group) for e in entries]
    assert got == [
        (None, "Secretary", None, "United States"),
        ("Howard T. Pellbrook", None, "Director, Office of Northern European Affairs", "United States"),
        ("Amos Virtanen", None, "Special Assistant", "United States"),
        ("Voronkin", None, "Soviet Ambassador", "Soviet Union"),
        ("Oleg Starodub", None, "Counselor, Soviet Embassy", "Soviet Union"),
    ]
    assert block.text.startswith("PARTICIPANTS") and block.text.endswith("Soviet Embassy")


def test_participants_list_with_capital_label_colon_and_agency_groups():
    text = ("PARTICIPANTS:\nU.S.\nThe Under Secretary\nMr. Carl Mayhew, Deputy Assistant Secretary\n"
            "Treasury\nDr. Imre Halasz\n\nThe Under Secretary said that the talks had gone well.\n")
    ((_, entries),) = participants_lists(text, 0, len(text))
    assert [(e.name.text if e.name else e.office, e.group) for e in entries] == [
        ("Under Secretary", "U.S."), ("Carl Mayhew", "U.S."), ("Imre Halasz", "Treasury")]


def test_meeting_takes_the_listed_participants_with_their_roles():
    ed = extract(parse_file(MEMCON))
    (meeting,) = ed.meetings
    assert meeting.date.iso == "1962-03-14"
    roles = {ed.entity(p.person_key).name: p.role for p in meeting.participants}
    assert roles["Howard T. Pellbrook"] == "Director, Office of Northern European Affairs (United States)"
    assert roles["Voronkin"] == "Soviet Ambassador (Soviet Union)"
    assert roles["Oleg Starodub"] == "Counselor, Soviet Embassy (Soviet Union)"
    assert roles["Amos Virtanen"] == "Special Assistant (United States)"
    # 'The Secretary' of an American record in 1962: the Secretary of State, found by office and date
    assert roles["Dean Rusk"] == "Secretary (United States)"
    rusk = person(ed, "Dean Rusk")
    assert {m.text for m in rusk.mentions} == {"Secretary"} and len(rusk.mentions) == 4


def test_drafter_is_the_author_of_a_memorandum():
    ed = extract(parse_file(MEMCON))
    virtanen = person(ed, "Amos Virtanen")
    assert ed.authors == [virtanen.key]
    assert "drafter" in virtanen.roles and "Special Assistant" in virtanen.roles


def test_office_holder_follows_the_place_of_writing():
    ed = extract(parse_file(TELEGRAM))
    # 'the President' in a telegram from Helsinki in 1961 is the President of Finland
    kekkonen = person(ed, "Urho Kekkonen")
    assert all(m.method == "office-and-date" for m in kekkonen.mentions)
    trask = person(ed, "Trask")
    assert ed.authors == [trask.key]
    (meeting,) = ed.meetings
    assert meeting.date.iso == "1961-10-03"
    assert {p.person_key for p in meeting.participants} == {trask.key, kekkonen.key}


def test_a_titled_name_holds_its_office():
    text = ("5. Telegram From the Department of State to the Embassy in Italy\n\nWashington, June 4, 1963, 8 p.m.\n\n"
            "1211. Secretary of State Dorrance received Ambassador Ferrucci today. The Secretary said that the "
            "Department would study the request. The Secretary added that an answer would come soon.\n\nBall\n\n"
            "Source: Department of State, Central Files, POL 7 IT. Confidential.\n")
    ed = extract(parse_text(text, "/x/frus-t-d5.txt"))
    dorrance = person(ed, "Dorrance")
    assert sum(1 for m in dorrance.mentions if m.text == "Secretary") == 2
    assert not any(p.name == "Dean Rusk" for p in ed.people)


# --- no layout ---------------------------------------------------------------------------

def test_text_in_no_layout_is_built_with_a_warning():
    doc = parse_file(PLAIN)
    assert doc.title == "Notes on the harbour survey"
    assert doc.title_span.text == "Notes on the harbour survey"
    assert doc.date.iso == "1958-06-12"
    assert doc.doc_id == "harbour-notes"
    assert doc.body.text.startswith("The survey team")
    assert any("no recognised layout" in w for w in doc.warnings)
    assert_offsets(doc)


def test_empty_and_binary_files_are_still_refused(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"  \n")
    with pytest.raises(ParseError, match="empty"):
        parse_file(empty)
    binary = tmp_path / "blob.txt"
    binary.write_bytes(b"\x00\x01\x02garbage")
    with pytest.raises(ParseError, match="binary"):
        parse_file(binary)


# --- TEI ------------------------------------------------------------------------------------

def test_tei_volume_yields_each_document_with_consistent_offsets():
    docs = parse_tei_file(VOLUME)
    assert [d.doc_id for d in docs] == ["frus-test-v02-d1", "frus-test-v02-d2"]
    memcon, telegram = docs
    assert memcon.title == "Memorandum of Conversation"
    assert memcon.doc_type == "memorandum_of_conversation"
    assert memcon.date.iso == "1962-03-14"
    assert memcon.place_written.text == "Washington"
    assert memcon.classification == "Confidential"
    assert memcon.archival_reference.delo == "611.6141/3-1462"
    # the text is laid out as a printed FRUS record
    assert "PARTICIPANTS\nUnited States:\nMr. Howard T. Pellbrook—Director, Office of Northern European Affairs\n" in memcon.text
    assert "Source: Department of State, Central Files, 611.6141/3-1462." in memcon.text
    assert "[Footnote: Pellbrook's memorandum of March 2 is not printed.]" in memcon.text
    assert "Persons" not in memcon.text and "Northern Waters\n" not in memcon.text.split("SUBJECT")[0]
    assert telegram.doc_type == "telegram" and telegram.place_written.text == "Moscow"
    for doc in docs:
        assert_offsets(doc)


def test_tei_hints_carry_the_persons_list_names_and_drop_wrong_links():
    memcon = parse_tei_file(VOLUME)[0]
    hints = [(h.text, h.corresp, h.name) for h in memcon.hints]
    assert ("Howard T. Pellbrook", "p_PHT1", "Howard T. Pellbrook") in hints
    assert ("Voronkin", "p_VSO1", "Sergei O. Voronkin") in hints
    # the markup points Amos Virtanen at Ira L. Dillard: a wrong @corresp, ignored with a warning
    assert ("Amos Virtanen", None, None) in hints
    assert any("p_DIL1" in w for w in memcon.warnings)


def test_tei_persname_hints_are_strong_evidence_for_people():
    memcon = parse_tei_file(VOLUME)[0]
    ed = extract(memcon)
    voronkin = person(ed, "Sergei O. Voronkin")
    assert {m.method for m in voronkin.mentions} == {"tei-persName"}
    assert "Voronkin" in voronkin.forms and "Soviet Ambassador" in voronkin.roles
    assert person(ed, "Amos Virtanen")
    assert not any("Dillard" in p.name for p in ed.people)
    # the untagged participant is still found by the text rules
    starodub = person(ed, "Oleg Starodub")
    assert all(m.method != "tei-persName" for m in starodub.mentions)
    (meeting,) = ed.meetings
    assert {ed.entity(p.person_key).name for p in meeting.participants} >= {
        "Sergei O. Voronkin", "Howard T. Pellbrook", "Amos Virtanen", "Oleg Starodub"}


def test_tei_date_contradicting_the_text_is_a_warning():
    telegram = parse_tei_file(VOLUME)[1]
    assert telegram.date.iso == "1962-04-03"  # the text's date
    assert any("1962-04-02" in w and "contradicts" in w for w in telegram.warnings)


def test_tei_single_div_fragment_and_parse_file(tmp_path):
    fragment = ('<div type="document" xml:id="d9" n="9" frus:doc-dateTime-min="1962-05-01T00:00:00">'
                '<head>9. Letter From <persName corresp="#p_X">Halloran</persName> to the Secretary</head>'
                '<p>The crops are in.</p></div>')
    (doc,) = parse_tei_text(fragment, "/x/frus-test-v03-d9.xml")
    assert doc.doc_id == "frus-test-v03-d9"
    assert doc.doc_type == "letter"
    assert doc.date.iso == "1962-05-01"  # no dateline: the markup's date
    assert [(h.text, h.corresp, h.name) for h in doc.hints] == [("Halloran", "p_X", None)]
    path = tmp_path / "frus-test-v03-d9.xml"
    path.write_text(fragment, encoding="utf-8")
    assert parse_file(path).doc_id == "frus-test-v03-d9"
    with pytest.raises(ParseError, match="2 documents"):
        parse_file(VOLUME)


def test_malformed_tei_is_refused_with_a_reason(tmp_path):
    path = tmp_path / "broken.xml"
    path.write_text('<TEI><text><div type="document"><p>open</div></text></TEI>', encoding="utf-8")
    with pytest.raises(ParseError, match="well-formed"):
        parse_tei_file(path)


def test_persons_list_names_are_put_in_reading_order():
    assert display_name("Rusk, Dean") == ("Dean Rusk", ["rusk"])
    assert display_name("Thompson, Llewellyn E., Jr.")[0] == "Llewellyn E. Thompson, Jr."
    assert display_name("Kim, Hyon-chol")[0] == "Kim Hyon-chol"
    assert display_name("Twining, General Nathan F.")[0] == "Nathan F. Twining"
    assert display_name("Castro Ruz, Fidel") == ("Fidel Castro Ruz", ["castro", "ruz"])


def test_positions_file_resolves_an_office_by_date_and_records_dated_positions(tmp_path):
    from kg.build import build
    from kg.gazetteer import default_positions
    from kg.store import StoreDir

    assert any(p.person == "dean-rusk" and p.office == "Secretary of State" and p.source for p in default_positions())
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "memo.txt").write_text(
        "88. Memorandum of Conversation, Department of State, Washington, May 3, 1962\n\n"
        "Washington, May 3, 1962\n\nSUBJECT\nTrade\n\n"
        "The Secretary said that the talks would go on. The Secretary asked about the harvest.\n\n"
        "Source: Department of State, Central Files, 611.00/5-362. Confidential.\n", encoding="utf-8")
    build([docs], tmp_path / "store")
    store = StoreDir(tmp_path / "store").open()
    q = """SELECT ?label ?source WHERE { ?d <https://schema.org/mentions> ?p .
           ?p <https://schema.org/name> "Dean Rusk" ; <http://www.w3.org/ns/org#hasMembership> ?m .
           ?m <http://www.w3.org/2000/01/rdf-schema#label> ?label ; <http://purl.org/dc/terms/source> ?source }"""
    rows = [(r["label"].value, r["source"].value) for r in store.query(q, use_default_graph_as_union=True)]
    assert rows and rows[0][0] == "Secretary of State, 1961–1969" and "history.state.gov" in rows[0][1]


def test_a_mixed_folder_builds_into_one_graph_with_one_uri_per_person(tmp_path):
    import shutil

    from kg.build import build
    from kg.store import StoreDir

    from conftest import EXAMPLES

    docs = tmp_path / "mixed"
    docs.mkdir()
    shutil.copy(EXAMPLES / "116026.txt", docs / "116026.txt")  # Wilson Center layout: 'Cde. N. S. Khrushchev'
    (docs / "frus-telegram.txt").write_text(
        "301. Telegram From the Embassy in the Soviet Union to the Department of State\n\n"
        "Moscow, June 2, 1958, 6 p.m.\n\n"
        "1204. Chairman Khrushchev said at the reception that the talks would go on.\n\n"
        "Thompson\n\nSource: Department of State, Central Files, 761.00/6-258. Secret.\n", encoding="utf-8")
    tei = next((Path(__file__).parent / "fixtures").rglob("*.xml"))
    shutil.copy(tei, docs / tei.name)
    report = build([docs], tmp_path / "store")
    assert report.ok and len(report.built) >= 3
    store = StoreDir(tmp_path / "store").open()
    q = """SELECT DISTINCT ?p WHERE { ?d <https://schema.org/mentions> ?p .
           ?p <https://schema.org/name>|<https://schema.org/alternateName> ?n FILTER(CONTAINS(?n, "Khrushchev")) }"""
    people = {r["p"].value for r in store.query(q, use_default_graph_as_union=True)}
    assert people == {"http://localhost:5000/id/person/nikita-khrushchev"}
    q = """SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d <https://schema.org/mentions>
           <http://localhost:5000/id/person/nikita-khrushchev> }"""
    assert int(next(iter(store.query(q, use_default_graph_as_union=True)))["n"].value) == 2
