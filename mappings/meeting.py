"""Meetings -> schema:Event with dated participation nodes and evidence."""
from __future__ import annotations

from kg import dates
from kg.namespaces import akg, rdfs, schema, prov
from kg.records import ExtractedDocument, MeetingRecord
from kg.resolve import Resolution
from kg.uris import Minter

from ._rdf import Graph, decimal, typed
from .evidence import annotate
from .topic import topic_links


def meeting_label(meeting: MeetingRecord, names: list[str]) -> str:
    who = ", ".join(names[:3]) + (" and others" if len(names) > 3 else "")
    when = meeting.date.iso if meeting.date else "undated"
    return f"Meeting of {who} ({when})" if who else f"Meeting ({when})"


def meeting_quads(g: Graph, minter: Minter, ed: ExtractedDocument, res: Resolution, doc_uri: str) -> list[str]:
    doc = ed.doc
    uris: list[str] = []
    for i, meeting in enumerate(ed.meetings):
        uri = res.meeting_uri(minter, doc.doc_id, i)  # shared by the parallel accounts of one meeting
        uris.append(uri)
        g.types(uri, akg.Meeting, schema.Event)
        attendee_names = []
        for part in meeting.participants:
            ident = res.of(doc.doc_id, part.person_key)
            attendee_names.append(ident.name)
        g.literal(uri, rdfs.label, meeting_label(meeting, attendee_names))
        g.literal(uri, schema.name, meeting_label(meeting, attendee_names))
        g.add(uri, schema.subjectOf, doc_uri)
        g.add(uri, akg.reportedIn, doc_uri)
        g.add(doc_uri, akg.reportsMeeting, uri)
        g.literal(uri, akg.meetingKind, meeting.kind)
        if meeting.date:
            g.add(uri, schema.startDate, typed(meeting.date.iso, "http://www.w3.org/2001/XMLSchema#" + dates.xsd_datatype(meeting.date)))
            g.literal(uri, akg.datePrecision, meeting.date.precision)
            if meeting.date.text:
                g.literal(uri, akg.dateText, meeting.date.text)
        if meeting.place_key:
            g.add(uri, schema.location, minter.place(res.of(doc.doc_id, meeting.place_key).slug))
        if meeting.place_text:
            g.literal(uri, akg.placeText, meeting.place_text)
        if meeting.duration_text:
            g.literal(uri, akg.durationText, meeting.duration_text)
        if meeting.duration_minutes:
            g.add(uri, akg.durationMinutes, decimal(meeting.duration_minutes))
        if meeting.initiated_by:
            g.add(uri, akg.initiatedBy, minter.person(res.of(doc.doc_id, meeting.initiated_by).slug))
        for part in meeting.participants:
            ident = res.of(doc.doc_id, part.person_key)
            person = minter.person(ident.slug)
            node = minter.participation(uri, ident.slug)
            g.add(uri, schema.attendee, person)
            g.add(uri, akg.hasParticipation, node)
            g.types(node, akg.Participation, prov.Association)
            g.add(node, akg.participant, person)
            g.literal(node, akg.role, part.role)
            g.literal(node, rdfs.label, f"{ident.name} as {part.role}")
            annotate(g, minter, doc.doc_id, doc_uri, doc.text, part.evidence, node, "describing")
        topic_links(g, minter, doc.doc_id, doc_uri, doc.text, uri, meeting.topics, schema.about)
    return uris
