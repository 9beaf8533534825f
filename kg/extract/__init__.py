"""Extraction: one ParsedDocument in, one ExtractedDocument out (a pure function)."""
from __future__ import annotations

from typing import Optional

from ..gazetteer import Gazetteer, default_gazetteer
from ..records import ExtractedDocument, ParsedDocument
from .entities import blocked_spans, find_places_and_orgs
from .meetings import find_meetings
from .people import find_people
from .topics import assign_topics

MEETING_GENRES = {"memorandum_of_conversation", "minutes"}


def extract(doc: ParsedDocument, gazetteer: Optional[Gazetteer] = None) -> ExtractedDocument:
    gazetteer = gazetteer or default_gazetteer()
    places, orgs = find_places_and_orgs(doc, gazetteer)
    people, authors, translators, addressees = find_people(doc, blocked_spans(places) + blocked_spans(orgs), gazetteer)
    # pattern organizations and buildings may not swallow a person ("Lee Hu-rak Co-chairman of ...")
    places, orgs = find_places_and_orgs(doc, gazetteer, blocked_spans(people))
    meetings = find_meetings(doc, people, places, authors, doc.doc_type in MEETING_GENRES)
    text = doc.text
    topics = assign_topics(text, 0, len(text), places)
    for meeting in meetings:
        meeting.topics = assign_topics(text, meeting.span.start, meeting.span.end, places, limit=6)
    return ExtractedDocument(doc=doc, people=people, organizations=orgs, places=places, meetings=meetings,
                             topics=topics, authors=authors, translators=translators, addressees=addressees)
