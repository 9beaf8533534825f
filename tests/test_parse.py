"""kg.parse on small invented documents in the Wilson Center export layout."""
from __future__ import annotations

import unicodedata

import pytest

from kg.parse import ParseError, document_type, parse_file, parse_funders, parse_reference, parse_text
from kg.records import ParsedDocument, Span

from conftest import EXAMPLES, render_doc

URL = "https://digitalarchive.wilsoncenter.org/document/900123"

CITATION = ('"Journal of Hungarian Ambassador K. Varga for 2 March 1961", March 02, 1961, '
            "Wilson Center Digital Archive, AVPRF fond 0415, opis 7, delo 21. "
            f"Translated for NKIDP by Irma Kovacs. <{URL}>")
SUMMARY = "Ambassador Varga discusses the spring sowing campaign with the mayor of Kaesong."
CREDITS = "This document was made possible with support from the Korea Foundation, the Leon Levy Foundation"

JOURNAL_BODY = """TOP SECRET

Copy N° 2

EMBASSY OF THE HUNGARIAN PEOPLE'S REPUBLIC IN THE DPRK

N° 57

9 March 1961

[stamp: Received

14 March 1961]

[handwriting: to Cde. [[one name illegible]] for review]

JOURNAL

of Ambassador K. VARGA during the
period from 2 March to 30 March 1961

2 March 1961

I received the mayor of Kaesong, who spoke about the sowing campaign."""


def journal(**overrides) -> dict:
    parts = dict(date="March 2, 1961", title="Journal of Hungarian Ambassador K. Varga\nfor 2 March 1961",
                 citation=CITATION, summary=SUMMARY, credits=CREDITS, language="Hungarian",
                 body=JOURNAL_BODY)
    parts.update(overrides)
    return parts


def parse(source: str = "/docs/varga.txt", **overrides) -> ParsedDocument:
    return parse_text(render_doc(**journal(**overrides)), source)


def all_spans(doc: ParsedDocument) -> list[Span]:
    spans = [doc.title_span, doc.citation, doc.summary, doc.credits, doc.body, doc.issuing_body,
             doc.place_written, *doc.translators, *doc.obtained_by, *(n.span for n in doc.notes)]
    return [s for s in spans if s is not None]


def assert_offsets_consistent(doc: ParsedDocument) -> None:
    spans = all_spans(doc)
    assert spans, "expected some spans"
    for s in spans:
        assert 0 <= s.start <= s.end <= len(doc.text)
        assert doc.text[s.start:s.end] == s.text


# --- header fields -----------------------------------------------------------

def test_title_spanning_two_lines_is_joined_with_a_space():
    doc = parse()
    assert doc.title == "Journal of Hungarian Ambassador K. Varga for 2 March 1961"


def test_title_span_points_at_the_title_in_the_text():
    doc = parse()
    assert doc.text[doc.title_span.start:doc.title_span.end] == "Journal of Hungarian Ambassador K. Varga\nfor 2 March 1961"


def test_date_line_with_day_precision():
    date = parse().date
    assert (date.iso, date.precision) == ("1961-03-02", "day")


def test_date_line_with_month_precision():
    date = parse(date="March 1961").date
    assert (date.iso, date.precision) == ("1961-03", "month")


def test_date_line_with_year_precision():
    date = parse(date="1961").date
    assert (date.iso, date.precision) == ("1961", "year")


def test_missing_date_line_falls_back_to_the_date_in_the_title():
    doc = parse(date=None)
    assert doc.date.iso == "1961-03-02"


def test_citation_url_in_angle_brackets():
    doc = parse()
    assert doc.source_url == URL


def test_bare_citation_url():
    doc = parse(citation=CITATION.replace(f"<{URL}>", URL))
    assert doc.source_url == URL


def test_bare_citation_url_followed_by_a_full_stop():
    doc = parse(citation=CITATION.replace(f"<{URL}>", URL + "."))
    assert doc.source_url == URL


def test_doc_id_is_the_document_number_from_the_url():
    assert parse().doc_id == "900123"


def test_doc_id_falls_back_to_the_file_stem_without_url():
    doc = parse(source="/docs/varga-journal.txt", citation=CITATION.replace(f" <{URL}>", ""))
    assert doc.source_url is None
    assert doc.doc_id == "varga-journal"


def test_doc_id_falls_back_to_the_file_stem_without_citation():
    doc = parse(source="/docs/no-citation.txt", citation=None)
    assert doc.citation is None
    assert doc.doc_id == "no-citation"


def test_explicit_doc_id_wins():
    doc = parse_text(render_doc(**journal()), "/docs/varga.txt", doc_id="custom-7")
    assert doc.doc_id == "custom-7"


def test_summary_and_credits_sections():
    doc = parse()
    assert doc.summary.text == SUMMARY
    assert doc.credits.text == CREDITS


def test_summary_keeps_several_paragraphs():
    doc = parse(summary="First paragraph.\n\nSecond paragraph.")
    assert doc.summary.text == "First paragraph.\n\nSecond paragraph."


def test_original_language():
    assert parse().original_language == "Hungarian"


def test_content_hash_is_sha256_of_the_normalized_text():
    import hashlib

    doc = parse()
    assert doc.content_hash == hashlib.sha256(doc.text.encode("utf-8")).hexdigest()


# --- translators -------------------------------------------------------------

def _citation_with(credit: str) -> str:
    return ('"Note on a Visit", May 05, 1962, Wilson Center Digital Archive, '
            f"AVPRF fond 0415, opis 7, delo 21. {credit} <{URL}>")


def test_translated_for_project_by_one_person():
    doc = parse(citation=_citation_with("Translated for NKIDP by Irma Kovacs."))
    assert [t.text for t in doc.translators] == ["Irma Kovacs"]
    assert doc.translation_project == "NKIDP"


def test_obtained_and_translated_for_cwihp():
    doc = parse(citation=_citation_with("Obtained and translated for CWIHP by Pavel Sorokin."))
    assert [t.text for t in doc.translators] == ["Pavel Sorokin"]
    assert doc.translation_project == "CWIHP"


def test_obtained_by_one_and_translated_by_another():
    doc = parse(citation=_citation_with(
        "Obtained for NKIDP by Greta Lindqvist and translated for NKIDP by Oskar Brandt."))
    assert [t.text for t in doc.obtained_by] == ["Greta Lindqvist"]
    assert [t.text for t in doc.translators] == ["Oskar Brandt"]
    assert doc.translation_project == "NKIDP"


def test_translated_by_two_people():
    doc = parse(citation=_citation_with("Translated by Mei Tanaka and Rolf Janssen."))
    assert [t.text for t in doc.translators] == ["Mei Tanaka", "Rolf Janssen"]


def test_lowercase_translated_by_after_semicolon():
    citation = ('"Note on a Visit", May 05, 1962, Wilson Center Digital Archive, '
                "RGANI, f. 3, op. 12, d. 44, ll. 7-9; translated by Dora Vance.")
    doc = parse(citation=citation)
    assert [t.text for t in doc.translators] == ["Dora Vance"]


def test_no_translation_project_without_for():
    doc = parse(citation=_citation_with("Translated by Mei Tanaka."))
    assert doc.translation_project is None


def test_translator_spans_point_into_the_text():
    doc = parse(citation=_citation_with("Translated by Mei Tanaka and Rolf Janssen."))
    for span in doc.translators + doc.obtained_by:
        assert doc.text[span.start:span.end] == span.text


# --- funders -----------------------------------------------------------------

def test_several_funders_comma_separated_with_the_dropped():
    assert parse().funders == ["Korea Foundation", "Leon Levy Foundation"]


def test_single_funder_without_the():
    doc = parse(credits="This document was made possible with support from Kyungnam University")
    assert doc.funders == ["Kyungnam University"]


def test_funder_with_and_in_its_name_stays_whole():
    assert parse_funders("This document was made possible with support from the "
                         "John D. and Catherine T. MacArthur Foundation") == [
        "John D. and Catherine T. MacArthur Foundation"]


def test_funders_joined_by_and():
    assert parse_funders("with support from the Korea Foundation and the Leon Levy Foundation") == [
        "Korea Foundation", "Leon Levy Foundation"]


def test_funders_with_serial_comma_before_and():
    assert parse_funders("This document was made possible with support from the Korea Foundation, "
                         "the Leon Levy Foundation, and the Henry Luce Foundation.") == [
        "Korea Foundation", "Leon Levy Foundation", "Henry Luce Foundation"]


def test_credits_without_support_from_have_no_funders():
    assert parse(credits="Scanned by volunteers.").funders == []


# --- archival reference ------------------------------------------------------

def test_reference_fond_opis_delo_words():
    ref = parse_reference("AVPRF fond 0102, opis 14, delo 6")
    assert (ref.repository, ref.fond, ref.opis, ref.delo) == ("AVPRF", "0102", "14", "6")


def test_reference_abbreviated_with_papka_and_listy():
    ref = parse_reference("AVPRF F. 0102, Op. 13, P. 72, Delo 5, Listy 165-192")
    assert (ref.repository, ref.fond, ref.opis, ref.papka, ref.delo, ref.pages) == (
        "AVPRF", "0102", "13", "72", "5", "165-192")


def test_reference_lowercase_abbreviations():
    ref = parse_reference("f. 5, op. 73, d. 1636, ll. 113-116")
    assert (ref.fond, ref.opis, ref.delo, ref.pages) == ("5", "73", "1636", "113-116")


def test_reference_from_the_citation():
    ref = parse().archival_reference
    assert (ref.repository, ref.fond, ref.opis, ref.delo) == ("AVPRF", "0415", "7", "21")


def test_reference_text_stops_before_the_translation_credit():
    ref = parse(citation=_citation_with("Translated for NKIDP by Irma Kovacs.")).archival_reference
    assert ref.text == "AVPRF fond 0415, opis 7, delo 21"


def test_reference_text_stops_before_a_lowercase_translation_credit():
    citation = ('"Note on a Visit", May 05, 1962, Wilson Center Digital Archive, '
                "RGANI, f. 3, op. 12, d. 44, ll. 7-9; translated by Dora Vance.")
    ref = parse(citation=citation).archival_reference
    assert ref.repository == "RGANI"
    assert "translated" not in ref.text.lower()
    assert "Dora Vance" not in ref.text


def test_reference_from_a_lowercase_citation_keeps_the_fond():
    citation = ('"Note on a Visit", May 05, 1962, Wilson Center Digital Archive, '
                "RGANI, f. 3, op. 12, d. 44, ll. 7-9; translated by Dora Vance.")
    ref = parse(citation=citation).archival_reference
    assert (ref.fond, ref.opis, ref.delo, ref.pages) == ("3", "12", "44", "7-9")


def test_reference_absent_when_citation_names_no_archive_fields():
    citation = '"Note on a Visit", May 05, 1962, Wilson Center Digital Archive. Translated by Mei Tanaka.'
    assert parse(citation=citation).archival_reference is None


# --- sections ----------------------------------------------------------------

def test_contents_label_is_not_body():
    doc = parse()
    assert doc.contents_label == "Translation - English"
    assert not doc.body.text.startswith("Translation")
    assert doc.body.text.startswith("TOP SECRET")


def test_contents_without_label_starts_the_body_right_away():
    doc = parse(contents="")
    assert doc.contents_label is None
    assert doc.body.text.startswith("TOP SECRET")


def test_other_contents_label_forms():
    doc = parse(contents="English Translation")
    assert doc.contents_label == "English Translation"
    assert doc.body.text.startswith("TOP SECRET")


def test_missing_citation_and_credits():
    doc = parse(citation=None, credits=None)
    assert doc.citation is None and doc.credits is None
    assert doc.summary.text == SUMMARY
    assert doc.funders == [] and doc.translators == []
    assert doc.body.text.startswith("TOP SECRET")


def test_missing_every_section_leaves_the_body_after_the_title():
    doc = parse(citation=None, summary=None, credits=None, language=None, contents=None)
    assert doc.body.text.startswith("TOP SECRET")
    assert doc.summary is None and doc.original_language is None


def test_sections_in_another_order():
    doc = parse(sections=["language", "credits", "citation", "summary", "contents"])
    assert doc.original_language == "Hungarian"
    assert doc.citation.text == CITATION
    assert doc.summary.text == SUMMARY
    assert doc.credits.text == CREDITS
    assert doc.contents_label == "Translation - English"
    assert doc.body.text.startswith("TOP SECRET")


def test_missing_contents_warns_and_body_follows_the_last_section():
    doc = parse(contents=None)
    assert doc.body.text.startswith("TOP SECRET")
    assert any("Contents" in w for w in doc.warnings)


def test_well_formed_document_has_no_warnings():
    assert parse().warnings == []


# --- heading block -----------------------------------------------------------

def _heading(body: str) -> ParsedDocument:
    return parse(body=body + "\n\nThe conversation then turned to the sowing campaign.")


@pytest.mark.parametrize("line, expected", [("TOP SECRET", "TOP SECRET"), ("Secret", "Secret"),
                                            ("Strictly secret", "Strictly secret"),
                                            ("Top Secret", "Top Secret")])
def test_classification(line, expected):
    assert _heading(f"{line}\n\nCopy N° 1").classification == expected


def test_no_classification_when_secret_is_only_in_prose():
    doc = _heading("Copy N° 1\n\nWe discussed the secret of a good harvest.")
    assert doc.classification is None


@pytest.mark.parametrize("copy_line", ["Copy N° 4", "Copy Nº 4", "Copy No. 4", "COPY No 4"])
def test_copy_number(copy_line):
    assert _heading(f"Secret\n\n{copy_line}").copy_number == "4"


def test_outgoing_number_and_date():
    doc = parse()
    assert doc.outgoing_number == "57"
    assert doc.outgoing_date.iso == "1961-03-09"


def test_outgoing_number_without_a_date_below():
    doc = _heading("Secret\n\nNo. 88\n\nJOURNAL")
    assert doc.outgoing_number == "88"
    assert doc.outgoing_date is None


def test_issuing_body_in_capitals():
    doc = parse()
    assert doc.issuing_body.text == "EMBASSY OF THE HUNGARIAN PEOPLE'S REPUBLIC IN THE DPRK"


def test_issuing_ministry():
    doc = _heading("Secret\n\nMINISTRY OF FOREIGN AFFAIRS OF THE MPR\n\nN° 12")
    assert doc.issuing_body.text == "MINISTRY OF FOREIGN AFFAIRS OF THE MPR"


def test_issuing_body_right_after_classification_excludes_it():
    doc = _heading("TOP SECRET\n\nEMBASSY OF THE MPR IN THE DPRK\n\nN° 5")
    assert doc.issuing_body.text == "EMBASSY OF THE MPR IN THE DPRK"


def test_journal_period_across_a_line_break():
    assert parse().journal_period == "2 March to 30 March 1961"


def test_stamp_note():
    doc = parse()
    stamps = [n.span.text for n in doc.notes if n.kind == "stamp"]
    assert stamps == ["[stamp: Received\n\n14 March 1961]"]


def test_handwriting_note_with_nested_brackets_is_kept_whole():
    doc = parse()
    hands = [n.span.text for n in doc.notes if n.kind == "handwriting"]
    assert hands == ["[handwriting: to Cde. [[one name illegible]] for review]"]


def test_bracket_note_with_words_before_stamp():
    doc = _heading("Secret\n\n[Foreign Ministry\n\nSecretariat stamp:\n\nIncoming N° 440]")
    assert [(n.kind, n.span.text) for n in doc.notes] == [
        ("stamp", "[Foreign Ministry\n\nSecretariat stamp:\n\nIncoming N° 440]")]


def test_unterminated_bracket_note_runs_to_the_end_of_its_paragraph():
    doc = _heading("Secret\n\n[handwriting: file this away\n\nJOURNAL")
    hands = [n.span.text for n in doc.notes if n.kind == "handwriting"]
    assert hands == ["[handwriting: file this away"]


def test_note_spans_point_into_the_text():
    doc = parse()
    assert doc.notes
    for note in doc.notes:
        assert doc.text[note.span.start:note.span.end] == note.span.text


@pytest.mark.parametrize("title, doc_type", [
    ("Journal of Ambassador K. Varga for 2 March 1961", "journal"),
    ("Memorandum of Conversation between Deputy Minister Lund and Ambassador Ferro", "memorandum_of_conversation"),
    ("Record of a Conversation with the Mayor of Kaesong", "memorandum_of_conversation"),
    ("Telegram from the Embassy in Ulaanbaatar", "telegram"),
    ("Ciphered Telegram No. 311", "telegram"),
    ("Cable from the Consul in Chongjin", "cable"),
    ("Minutes of the Session of the Central Committee", "minutes"),
    ("Letter from the Mayor of Kaesong to the Mayor of Ostrava", "letter"),
])
def test_doc_type_from_title(title, doc_type):
    assert parse(title=title).doc_type == doc_type


def test_doc_type_from_title_function():
    assert document_type("Some Untitled Fragment") == "other"


# --- the real founding document ----------------------------------------------

def test_example_document_116026():
    doc = parse_file(EXAMPLES / "116026.txt")
    assert doc.doc_id == "116026"
    assert doc.title.startswith("Journal of Soviet Ambassador in the DPRK")
    assert (doc.date.iso, doc.date.precision) == ("1958-05-27", "day")
    assert doc.doc_type == "journal"
    assert doc.classification == "TOP SECRET"
    assert doc.copy_number == "1"
    assert doc.outgoing_number == "112"
    assert doc.outgoing_date.iso == "1958-05-30"
    assert doc.translation_project == "NKIDP"
    assert doc.original_language == "Russian"
    ref = doc.archival_reference
    assert (ref.repository, ref.fond, ref.opis, ref.delo) == ("AVPRF", "0102", "14", "6")
    assert {n.kind for n in doc.notes} == {"stamp", "handwriting"}
    assert_offsets_consistent(doc)


# --- robustness --------------------------------------------------------------

def test_offsets_consistent_in_a_plain_document():
    assert_offsets_consistent(parse())


@pytest.mark.parametrize("options", [
    dict(newline="\r\n"),
    dict(newline="\r"),
    dict(bom=True),
    dict(encoding="utf-16"),
    dict(encoding="utf-16-le", bom=True, newline="\r\n"),
    dict(encoding="utf-16-be", bom=True),
    dict(encoding="latin-1"),
    dict(encoding="cp1252"),
], ids=["crlf", "cr", "utf8-bom", "utf16", "utf16le-bom-crlf", "utf16be-bom", "latin1", "cp1252"])
def test_encodings_and_line_endings_parse_the_same(make_doc, options):
    parts = journal(title="Journal of Ambassador K. Varga on the Café in Kaesong",
                    summary="Varga and Müller visit the café.")
    reference = parse_file(make_doc(**parts))
    doc = parse_file(make_doc(**parts, **options))
    assert doc.text == reference.text
    assert doc.content_hash == reference.content_hash
    assert doc.title == "Journal of Ambassador K. Varga on the Café in Kaesong"
    assert doc.summary.text == "Varga and Müller visit the café."
    assert doc.doc_id == "900123"
    assert doc.classification == "TOP SECRET"
    assert [t.text for t in doc.translators] == ["Irma Kovacs"]
    assert "\r" not in doc.text and "\ufeff" not in doc.text
    assert_offsets_consistent(doc)


def test_smart_quotes_parse_and_keep_offsets(make_doc):
    path = make_doc(**journal(
        title="“Note” on Ambassador Varga’s Visit",
        citation=CITATION.replace('"', "“", 1).replace('"', "”", 1).replace("Irma Kovacs", "Irma O’Hara"),
        summary="The ‘sowing’ campaign was “urgent”."))
    doc = parse_file(path)
    assert doc.title == "“Note” on Ambassador Varga’s Visit"
    assert doc.summary.text == "The ‘sowing’ campaign was “urgent”."
    assert [t.text for t in doc.translators] == ["Irma O’Hara"]
    assert_offsets_consistent(doc)


def test_extra_blank_lines_parse_the_same():
    plain = parse()
    text = render_doc(**journal()).replace("\n\n", "\n\n\n\n")
    doc = parse_text(text, "/docs/varga.txt")
    assert doc.title == plain.title
    assert doc.summary.text == plain.summary.text
    assert doc.contents_label == plain.contents_label
    assert doc.classification == plain.classification
    assert doc.copy_number == plain.copy_number
    assert [t.text for t in doc.translators] == [t.text for t in plain.translators]
    assert doc.body.text.startswith("TOP SECRET")
    assert_offsets_consistent(doc)


def test_decomposed_unicode_is_normalized_and_offsets_hold():
    text = render_doc(**journal(summary="Mu\u0308ller visited the cafe\u0301."))
    doc = parse_text(text, "/docs/varga.txt")
    assert doc.summary.text == "Müller visited the café."
    assert unicodedata.is_normalized("NFC", doc.text)
    assert_offsets_consistent(doc)


def test_offsets_consistent_with_every_optional_part():
    doc = parse(citation=_citation_with(
        "Obtained for NKIDP by Greta Lindqvist and translated for NKIDP by Oskar Brandt and Mei Tanaka."))
    assert doc.obtained_by and len(doc.translators) == 2
    assert_offsets_consistent(doc)


# --- errors ------------------------------------------------------------------

def test_empty_file_raises_parse_error_naming_the_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(ParseError) as info:
        parse_file(path)
    assert str(path) in str(info.value)
    assert "empty" in str(info.value)


def test_blank_file_raises_parse_error(tmp_path):
    path = tmp_path / "blank.txt"
    path.write_bytes(b"\n \n\t\n")
    with pytest.raises(ParseError, match="empty"):
        parse_file(path)


def test_binary_file_raises_parse_error_naming_the_file(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR**x**")
    with pytest.raises(ParseError) as info:
        parse_file(path)
    assert str(path) in str(info.value)
    assert "binary" in str(info.value)


def test_file_without_title_raises_parse_error(make_doc):
    path = make_doc(title=None, citation="Some citation.", body="Body.")
    with pytest.raises(ParseError) as info:
        parse_file(path)
    message = str(info.value)
    assert str(path) in message
    assert "title" in message and "**" in message
    assert info.value.path == str(path)


def test_unterminated_bold_title_raises_parse_error_with_line(tmp_path):
    path = tmp_path / "open-title.txt"
    path.write_text("\nMarch 2, 1961\n\n**Journal of Ambassador K. Varga\n\nCitation:\n\nSomething.\n",
                    encoding="utf-8")
    with pytest.raises(ParseError) as info:
        parse_file(path)
    message = str(info.value)
    assert str(path) in message
    assert "never closed" in message
    assert info.value.line == 4


def test_invalid_date_line_is_a_warning_not_a_crash():
    doc = parse(date="31 February 1961", title="Journal of Ambassador K. Varga")
    assert doc.title == "Journal of Ambassador K. Varga"
    assert doc.date is None or doc.date.iso != "1961-02-31"
    assert any("31 February 1961" in w for w in doc.warnings)


def test_parse_error_is_a_value_error():
    with pytest.raises(ValueError):
        parse_text("", "/docs/nothing.txt")


def test_shared_corpus_documents_parse_with_consistent_offsets(shared_corpus):
    paths = sorted((shared_corpus / "docs").glob("*.txt"))
    assert paths
    for path in paths:
        doc = parse_file(path)
        assert doc.title, path.name
        assert doc.body is not None and doc.body.text, path.name
        for span in all_spans(doc):
            assert doc.text[span.start:span.end] == span.text, (path.name, span)
