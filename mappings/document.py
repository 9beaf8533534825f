"""A document -> its catalogue record, archival reference, heading, notes and mentions."""
from __future__ import annotations

from kg import dates
from kg.namespaces import akg, dcterms, prov, rdf, rdfs, schema, xsd, crm, rico
from kg.records import EntityRecord, ExtractedDocument
from kg.resolve import Resolution
from kg.uris import Minter, iri_problem

from ._rdf import Graph, lit, typed
from .evidence import annotate
from .topic import topic_links

# ISO 639-1 codes for the languages archives name in "Original Language:"
LANGUAGES = {
    "russian": "ru", "chinese": "zh", "korean": "ko", "german": "de", "english": "en", "polish": "pl",
    "hungarian": "hu", "romanian": "ro", "czech": "cs", "slovak": "sk", "bulgarian": "bg", "vietnamese": "vi",
    "mongolian": "mn", "japanese": "ja", "french": "fr", "spanish": "es", "italian": "it", "serbo-croatian": "sh",
    "serbian": "sr", "croatian": "hr", "albanian": "sq", "arabic": "ar", "persian": "fa", "hebrew": "he",
    "portuguese": "pt", "ukrainian": "uk", "georgian": "ka", "amharic": "am", "indonesian": "id",
}

DOC_TYPE_SLUGS = {"memorandum_of_conversation": "memorandum-of-conversation"}


def entity_uri(minter: Minter, kind: str, slug: str) -> str:
    return {"person": minter.person, "organization": minter.organization, "place": minter.place}[kind](slug)


def _overlapping(records: list[EntityRecord], start: int, end: int) -> list[EntityRecord]:
    return [r for r in records if any(start <= m.start and m.end <= end for m in r.mentions)]


def document_quads(g: Graph, minter: Minter, ed: ExtractedDocument, res: Resolution, version: str) -> str:
    doc = ed.doc
    uri = minter.document(doc.doc_id)
    g.types(uri, akg.Document, schema.ArchiveComponent, rico.Record, crm.E31_Document)
    g.add(uri, dcterms.identifier, lit(doc.doc_id))
    g.literal(uri, dcterms.title, doc.title)
    g.literal(uri, rdfs.label, doc.title)
    if doc.date:
        g.add(uri, dcterms.date, typed(doc.date.iso, xsd[dates.xsd_datatype(doc.date)]))
        g.literal(uri, akg.datePrecision, doc.date.precision)
        g.literal(uri, akg.dateText, doc.date.text)
        low, high = dates.bounds(doc.date)
        g.add(uri, akg.earliestDate, typed(low, xsd.date))
        g.add(uri, akg.latestDate, typed(high, xsd.date))
    if doc.summary:
        g.literal(uri, dcterms.abstract, doc.summary.text)
    if doc.citation:
        g.literal(uri, dcterms.bibliographicCitation, doc.citation.text)
    if doc.original_language:
        code = LANGUAGES.get(doc.original_language.strip().lower())
        if code:
            lang = minter.language(code)
            g.add(uri, dcterms.language, lang)
            g.add(lang, rdfs.label, lit(doc.original_language.strip(), "en"))
            g.add(lang, rdf.type, dcterms.LinguisticSystem)
        else:
            g.literal(uri, akg.languageText, doc.original_language)
    if doc.source_url:
        if iri_problem(doc.source_url):  # kept as written, but not as a link RDF cannot hold
            g.add(uri, schema.url, lit(doc.source_url))
        else:
            g.add(uri, schema.url, doc.source_url)
            g.add(uri, prov.wasDerivedFrom, doc.source_url)
    g.add(uri, akg.documentType, minter.doctype(DOC_TYPE_SLUGS.get(doc.doc_type, doc.doc_type)))
    g.literal(uri, akg.translationProject, doc.translation_project)
    g.literal(uri, akg.securityClassification, doc.classification)
    g.literal(uri, akg.copyNumber, doc.copy_number)
    g.literal(uri, akg.outgoingNumber, doc.outgoing_number)
    if doc.outgoing_date and doc.outgoing_date.precision == "day":
        g.add(uri, akg.outgoingDate, typed(doc.outgoing_date.iso, xsd.date))
    g.literal(uri, akg.journalPeriod, doc.journal_period)
    g.add(uri, akg.bodyText, lit(doc.text))
    g.literal(uri, akg.sourceFile, doc.source_path)
    g.literal(uri, akg.contentHash, doc.content_hash)

    ref = doc.archival_reference
    if ref and not ref.is_empty():
        ref_uri = minter.reference(doc.doc_id)
        g.add(uri, akg.archivalReference, ref_uri)
        g.types(ref_uri, akg.ArchivalReference)
        for field_name in ("repository", "fond", "opis", "delo", "papka", "pages"):
            g.literal(ref_uri, akg[field_name], getattr(ref, field_name))
        g.literal(ref_uri, akg.referenceText, ref.text)
        g.literal(ref_uri, rdfs.label, ref.text)

    def ident_uri(record: EntityRecord) -> str:
        return entity_uri(minter, record.kind, res.of(doc.doc_id, record.key).slug)

    # mentions, each with its evidence
    for record in (*ed.people, *ed.organizations, *ed.places):
        target = ident_uri(record)
        g.add(uri, schema.mentions, target)
        for mention in record.mentions:
            annotate(g, minter, doc.doc_id, uri, doc.text, mention, target)
    for key in ed.authors:
        g.add(uri, schema.author, minter.person(res.of(doc.doc_id, key).slug))
    for key in ed.addressees:
        g.add(uri, schema.recipient, minter.person(res.of(doc.doc_id, key).slug))
    for key in ed.translators:
        g.add(uri, schema.translator, minter.person(res.of(doc.doc_id, key).slug))
    for funder in doc.funders:
        for record in ed.organizations:
            if funder in record.forms or record.name == funder:
                g.add(uri, schema.funder, ident_uri(record))
                break
    if doc.issuing_body:
        for record in _overlapping(ed.organizations, doc.issuing_body.start, doc.issuing_body.end)[:1]:
            g.add(uri, akg.issuingBody, ident_uri(record))
    if doc.place_written:
        for record in _overlapping(ed.places, doc.place_written.start, doc.place_written.end)[:1]:
            g.add(uri, akg.placeWritten, ident_uri(record))
    for i, note in enumerate(doc.notes, 1):
        note_uri = minter.note(doc.doc_id, i)
        g.add(uri, akg.hasNote, note_uri)
        g.types(note_uri, akg.DocumentNote)
        g.literal(note_uri, akg.noteKind, note.kind)
        g.add(note_uri, rdf.value, lit(note.span.text))
        g.literal(note_uri, rdfs.label, f"{note.kind} on document {doc.doc_id}")
        for record in _overlapping(ed.people, note.span.start, note.span.end):
            g.add(note_uri, schema.mentions, ident_uri(record))
    topic_links(g, minter, doc.doc_id, uri, doc.text, uri, ed.topics, dcterms.subject)

    # provenance inside the document's own graph: what it was derived from, by which software
    activity = minter.extraction(doc.doc_id, doc.content_hash, version)
    g.add(uri, prov.wasGeneratedBy, activity)
    g.types(activity, akg.Extraction, prov.Activity)
    g.add(activity, prov.wasAssociatedWith, minter.software())
    g.literal(activity, akg.sourceFile, doc.source_path)
    g.literal(activity, schema.softwareVersion, version)
    return uri
