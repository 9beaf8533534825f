"""The browser explorer: entity pages, search with autocomplete, browse with facets, the query page.

Every page reads the store through the query pool with bound values, labels
come from ``labels.py``, and everything shown is escaped by the templates.
"""
from __future__ import annotations

import json
import re
from collections import Counter, defaultdict

from flask import Blueprint, Response, abort, jsonify, render_template, request, url_for
from markupsafe import Markup, escape

from kg.namespaces import PREFIXES, iri_term
from mappings.evidence import CONTEXT as QUOTE_CONTEXT

from .labels import labels
from .state import iri as bind_iri
from .state import state

bp = Blueprint("explorer", __name__)

SCHEMA, AKG, SKOS, OA = PREFIXES["schema"], PREFIXES["akg"], PREFIXES["skos"], PREFIXES["oa"]
KIND_OF_TYPE = {AKG + "Document": "document", AKG + "Person": "person", AKG + "Organization": "organization",
                AKG + "Place": "place", AKG + "Meeting": "meeting", SKOS + "Concept": "topic"}
PAGE = 20
MEETINGS_PAGE = 50


@bp.app_template_filter("local")
def local_link(iri: str) -> str:
    """Our own IRIs link to this server (so pages work on localhost and behind a proxy alike)."""
    base = state().base
    if iri.startswith(base):
        return "/" + iri[len(base):]
    return iri


def anchor_for(start: int, end: int) -> str:
    return f"m{start}-{end}"


def _v(row, name, default=None):
    return row[name]["value"] if name in row else default


def _types(iri: str) -> set[str]:
    return {_v(r, "t") for r in state().select("SELECT ?t WHERE { ?r a ?t }", r=bind_iri(iri))}


def incoming_links(iri: str, limit: int = 10) -> list[dict]:
    # counts, and a first few of each group: no DISTINCT or ORDER BY over a hub's thousands of links
    groups = state().select("SELECT ?p (COUNT(?s) AS ?n) WHERE { ?s ?p ?r } GROUP BY ?p ORDER BY DESC(?n)",
                            r=bind_iri(iri))
    # the first few of every group in one more query, not one per group (each query crosses to the query process
    # and back); a subquery does not see the outer VALUES, so each branch binds its own (escaped) terms
    branches = " UNION ".join("{ SELECT ?s ?p WHERE { VALUES (?p ?r) { (%s %s) } ?s ?p ?r } LIMIT %d }"
                              % (iri_term(_v(g, "p")), iri_term(iri), limit) for g in groups)
    subjects = defaultdict(set)
    for r in state().select("SELECT ?p ?s WHERE { %s }" % branches) if groups else ():
        subjects[_v(r, "p")].add(_v(r, "s"))
    return [{"property": _v(g, "p"), "label": _prop_label(_v(g, "p")), "count": int(_v(g, "n")),
             "subjects": sorted(subjects[_v(g, "p")])} for g in groups]


def _prop_label(prop: str) -> str:
    for prefix, ns in PREFIXES.items():
        if prop.startswith(ns):
            return f"{prefix}:{prop[len(ns):]}"
    return prop


def _jsonld(iri: str, types: set[str], name: str) -> str:
    data = {"@context": "https://schema.org/", "@id": iri, "@type": [t[len(SCHEMA):] for t in types if t.startswith(SCHEMA)] or "Thing",
            "name": name}
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def _incoming_and_labels(iri: str, label_iris) -> tuple[list[dict], dict[str, str]]:
    """What links to a page, and the labels of all it shows, fetched in one label query."""
    inc = incoming_links(iri)
    return inc, labels({s for g in inc for s in g["subjects"]} | set(label_iris))


def _render(template: str, iri: str, types: set[str], title: str, **context) -> Response:
    from .linked_data import SUFFIXES

    if "incoming" not in context:  # a page that needs its labels early fetched them itself
        context["incoming"], context["labels"] = _incoming_and_labels(iri, context.pop("label_iris", ()))
    html = render_template(template, iri=iri, title=title, canonical=iri, alternates=list(SUFFIXES.items()),
                           jsonld=_jsonld(iri, types, title), **context)
    return Response(html, mimetype="text/html")


def entity_page(iri: str) -> Response:
    types = _types(iri)
    if OA + "Annotation" in types:
        return annotation_page(iri, types)
    kind = next((KIND_OF_TYPE[t] for t in types if t in KIND_OF_TYPE), None)
    page = {"document": document_page, "person": person_page, "meeting": meeting_page,
            "organization": agent_page, "place": agent_page, "topic": topic_page}.get(kind, generic_page)
    return page(iri, types)


# --- pages ------------------------------------------------------------------------------------

# a passage ?t: its document, quote and offsets
_PASSAGE = "?t oa:hasSource ?doc ; oa:hasSelector ?q, ?p . ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end"
_QUOTE = f"?a oa:hasTarget ?t ; akg:method ?method ; akg:confidence ?conf . {_PASSAGE}"


def _evidence(iri: str, doc: str | None = None) -> list[dict]:
    """The quotes of the annotations whose body is ``iri`` (in ``doc`` only, when given), in text order."""
    # no ORDER BY in SPARQL: on a much-mentioned person that would sort every quote in the archive first
    bindings = {"r": bind_iri(iri), **({"doc": bind_iri(doc)} if doc else {})}
    rows = state().select(f"SELECT ?t ?doc ?exact ?start ?end ?method ?conf WHERE {{ ?a oa:hasBody ?r . {_QUOTE} }} LIMIT 150",
                          **bindings)
    return _quotes(rows, doc)


def _quotes(rows: list[dict], doc: str | None = None) -> list[dict]:
    rows.sort(key=lambda r: (_v(r, "doc"), int(_v(r, "start"))))
    out = []
    for r in rows:
        if doc and _v(r, "doc") != doc:
            continue
        start, end = int(_v(r, "start")), int(_v(r, "end"))
        out.append({"doc": _v(r, "doc"), "passage": _v(r, "t"), "exact": _v(r, "exact"), "anchor": anchor_for(start, end),
                    "method": _v(r, "method"), "confidence": _v(r, "conf")})
    return out


def _mentions(doc: str) -> list[tuple[int, int, str, str]]:
    """(start, end, entity, type) of each identifying annotation on the document's text.

    One row per annotation (its target has one position selector), so the rows also count each entity's
    mentions. Read inside the document's named graph, where the build writes each annotation with its
    target and selectors: there they lie together, while in the union of all graphs each is a lookup of its
    own, and on a page not seen before those lookups took half of the page's time.
    """
    rows = state().select("""SELECT ?start ?end ?body ?type WHERE {
        GRAPH ?g { ?t oa:hasSource ?doc ; oa:hasSelector ?p . ?a oa:hasTarget ?t ; oa:motivatedBy oa:identifying ;
                   oa:hasBody ?body . ?p oa:start ?start ; oa:end ?end }
        OPTIONAL { ?body a ?type FILTER(?type IN (schema:Person, schema:Organization, schema:Place)) } }""",
                          doc=bind_iri(doc))
    return [(int(_v(r, "start")), int(_v(r, "end")), _v(r, "body"), _v(r, "type", "")) for r in rows]


def highlighted_text(text: str, mentions, names: dict[str, str]) -> Markup:
    """The stored text with every identified mention linked to its entity (text escaped, never markup)."""
    out, pos = [], 0
    for start, end, body, typ in sorted(set(mentions)):
        if start < pos:
            continue  # overlapping mentions: the first wins
        out.append(escape(text[pos:start]))
        kind = typ.rsplit("/", 1)[-1].lower() if typ else "entity"
        out.append(Markup('<a class="mention {kind}" id="{anchor}" href="{href}" title="{title}">{quote}</a>').format(
            kind=kind, anchor=anchor_for(start, end), href=local_link(body), title=names.get(body, body),
            quote=text[start:end]))
        pos = end
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def document_page(iri: str, types: set[str]) -> Response:
    s = state()
    props = defaultdict(list)
    for r in s.select("SELECT ?p ?o WHERE { ?r ?p ?o }", r=bind_iri(iri)):
        props[_v(r, "p")].append(_v(r, "o"))
    one = lambda p: (props.get(p) or [None])[0]  # noqa: E731
    text = one(AKG + "bodyText") or ""
    ref = one(AKG + "archivalReference")
    reference = {}
    if ref:
        for r in s.select("SELECT ?p ?o WHERE { ?r ?p ?o }", r=bind_iri(ref)):
            reference[_v(r, "p").rsplit("#", 1)[-1]] = _v(r, "o")
    notes = s.select("SELECT ?n ?kind ?value WHERE { ?d akg:hasNote ?n . ?n akg:noteKind ?kind ; rdf:value ?value } ORDER BY ?n",
                     d=bind_iri(iri))
    meetings = s.select("""SELECT ?m ?date ?place (GROUP_CONCAT(DISTINCT STR(?a); separator=" ") AS ?attendees) WHERE {
        ?d akg:reportsMeeting ?m . OPTIONAL { ?m schema:startDate ?date } OPTIONAL { ?m schema:location ?place }
        OPTIONAL { ?m schema:attendee ?a } } GROUP BY ?m ?date ?place ORDER BY ?date""", d=bind_iri(iri))
    # scores from this document's own topic annotations, in its graph (anchored on the document, not on
    # the topic's many)
    scores = {_v(r, "t"): float(_v(r, "s")) for r in s.select(
        "SELECT ?t (MAX(?score) AS ?s) WHERE { GRAPH ?g { ?a oa:hasScope ?d ; oa:hasBody ?t ; akg:score ?score } } GROUP BY ?t",
        d=bind_iri(iri))}
    topics = sorted(props.get(PREFIXES["dcterms"] + "subject", []), key=lambda t: -scores.get(t, 0))
    # the mentions give both the highlighting and the count of each entity's mentions
    mentions = _mentions(iri)
    counts = Counter((body, typ) for _, _, body, typ in mentions if typ)
    iris = {body for _, _, body, _ in mentions}
    for key in (SCHEMA + "translator", SCHEMA + "author", SCHEMA + "funder", SCHEMA + "recipient", AKG + "issuingBody",
                AKG + "placeWritten", AKG + "documentType", PREFIXES["dcterms"] + "language"):
        iris.update(props.get(key, []))
    iris.update(_v(m, "place") for m in meetings if "place" in m)
    iris.update(a for m in meetings for a in _v(m, "attendees", "").split())
    iris.update(topics)
    incoming, names = _incoming_and_labels(iri, iris)
    # most mentioned first; equal counts by name (the engine gave them in no particular order)
    mentioned = [{"e": e, "kind": typ.rsplit("/", 1)[-1].lower(), "n": n}
                 for (e, typ), n in sorted(counts.items(), key=lambda c: (-c[1], names[c[0][0]], c[0]))]
    title = one(PREFIXES["dcterms"] + "title") or iri
    citation = f"“{title}”, {one(PREFIXES['dcterms'] + 'date') or 'undated'}, {reference.get('referenceText') or ''}. {iri}"
    return _render("document.html", iri, types, title, props=props, one=one, text=highlighted_text(text, mentions, names),
                   reference=reference, notes=notes, meetings=meetings, topics=topics, mentioned=mentioned,
                   citation=citation, incoming=incoming, labels=names, AKG=AKG, SCHEMA=SCHEMA, DCT=PREFIXES["dcterms"])


def person_page(iri: str, types: set[str]) -> Response:
    s = state()
    props = defaultdict(list)
    for r in s.select("SELECT ?p ?o WHERE { ?r ?p ?o }", r=bind_iri(iri)):
        props[_v(r, "p")].append(_v(r, "o"))
    name = (props.get(SCHEMA + "name") or [iri])[0]
    page = max(1, request.args.get("meetings", 1, type=int))
    # the timeline a page at a time; the people met most often over all of them
    chosen = [_v(r, "m") for r in s.select(
        "SELECT ?m WHERE { ?m schema:attendee ?r . OPTIONAL { ?m schema:startDate ?date } } ORDER BY ?date ?m LIMIT %d OFFSET %d"
        % (MEETINGS_PAGE, (page - 1) * MEETINGS_PAGE), r=bind_iri(iri))]
    meetings = s.select("""SELECT ?m ?date ?place ?doc ?role (GROUP_CONCAT(DISTINCT STR(?other); separator=" ") AS ?others) WHERE {
        VALUES ?m { %s } OPTIONAL { ?m schema:startDate ?date } OPTIONAL { ?m schema:location ?place }
        OPTIONAL { ?m schema:subjectOf ?doc }
        OPTIONAL { ?m akg:hasParticipation ?part . ?part akg:participant ?r ; akg:role ?role }
        OPTIONAL { ?m schema:attendee ?other FILTER(?other != ?r) } }
        GROUP BY ?m ?date ?place ?doc ?role ORDER BY ?date ?m""" % " ".join(iri_term(m) for m in chosen),
                        r=bind_iri(iri)) if chosen else []
    meeting_count = int(s.select("SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m schema:attendee ?r }", r=bind_iri(iri))[0]["n"]["value"])
    met = Counter({_v(row, "o"): int(_v(row, "n")) for row in s.select(
        """SELECT ?o (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m schema:attendee ?r, ?o FILTER(?o != ?r) }
        GROUP BY ?o ORDER BY DESC(?n) LIMIT 12""", r=bind_iri(iri))})
    documents = s.select("""SELECT DISTINCT ?d ?date WHERE { ?d schema:mentions ?r ; a schema:ArchiveComponent .
        OPTIONAL { ?d dcterms:date ?date } } ORDER BY ?date LIMIT 60""", r=bind_iri(iri))
    document_count = int(s.select("SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d schema:mentions ?r ; a schema:ArchiveComponent }",
                                  r=bind_iri(iri))[0]["n"]["value"])
    topics, places = _co_occurring(iri, "topic", "t"), _co_occurring(iri, "place", "pl")
    offices = s.select("""SELECT ?label ?start ?source WHERE { ?r org:hasMembership ?m . ?m rdfs:label ?label .
        OPTIONAL { ?m schema:startDate ?start } OPTIONAL { ?m dcterms:source ?source } } ORDER BY ?start""", r=bind_iri(iri))
    authorities = s.select("""SELECT ?rel ?target WHERE { ?r ?rel ?target FILTER(?rel IN (owl:sameAs, skos:closeMatch, skos:exactMatch)) }""",
                           r=bind_iri(iri))
    iris = {iri} | set(met) | {_v(m, "place") for m in meetings if "place" in m} | {_v(m, "doc") for m in meetings if "doc" in m}
    iris |= {_v(d, "d") for d in documents} | {_v(t, "t") for t in topics} | {_v(p, "pl") for p in places}
    iris |= {_v(m, "m") for m in meetings}
    network = _network(iri, met.most_common(12))
    return _render("person.html", iri, types, name, props=props, meetings=meetings, met=met.most_common(12),
                   document_count=document_count, meeting_count=meeting_count, meeting_page=page, offices=offices,
                   meeting_pages=(meeting_count + MEETINGS_PAGE - 1) // MEETINGS_PAGE,
                   documents=documents, topics=topics, places=places, authorities=authorities,
                   network=network, label_iris=iris, AKG=AKG, SCHEMA=SCHEMA)


def _co_occurring(iri: str, facet: str, var: str, limit: int = 12) -> list[dict]:
    """Topics or places of the documents that mention a person, most frequent first (from the side index)."""
    db = state().search_db()
    if db is None:
        return []
    # CROSS JOIN fixes the order: the person's documents first, then their facets (SQLite would start from
    # every place of the archive otherwise)
    rows = db.execute("SELECT f.value, COUNT(DISTINCT f.doc) AS n FROM facets p CROSS JOIN facets f ON f.doc = p.doc "
                      "WHERE p.facet = 'person' AND p.value = ? AND f.facet = ? "
                      "GROUP BY f.value ORDER BY n DESC, f.value LIMIT ?", (iri, facet, limit)).fetchall()
    return [{var: {"type": "uri", "value": value}, "n": {"value": str(n)}} for value, n in rows]


def _network(center: str, neighbours: list[tuple[str, int]]) -> list[dict]:
    """Positions on a circle for the people met most often (drawn as SVG by the template)."""
    import math

    out = []
    for i, (other, count) in enumerate(neighbours):
        angle = 2 * math.pi * i / max(1, len(neighbours))
        out.append({"iri": other, "count": count, "x": round(200 + 150 * math.cos(angle), 1),
                    "y": round(160 + 120 * math.sin(angle), 1), "width": min(8, 1 + count)})
    return out


def meeting_page(iri: str, types: set[str]) -> Response:
    s = state()
    props = defaultdict(list)
    for r in s.select("SELECT ?p ?o WHERE { ?r ?p ?o }", r=bind_iri(iri)):
        props[_v(r, "p")].append(_v(r, "o"))
    participants = s.select("""SELECT ?part ?person ?role WHERE { ?m akg:hasParticipation ?part .
        ?part akg:participant ?person . OPTIONAL { ?part akg:role ?role } } ORDER BY ?person""", m=bind_iri(iri))
    accounts: dict[str, list[dict]] = {doc: [] for doc in props.get(SCHEMA + "subjectOf", [])}
    # the quotes behind every participation at once (one query, not one per participant)
    by_part = defaultdict(list)
    for r in s.select(f"SELECT ?part ?t ?doc ?exact ?start ?end ?method ?conf WHERE {{ ?m akg:hasParticipation ?part . "
                      f"?a oa:hasBody ?part . {_QUOTE} }} LIMIT 2000", m=bind_iri(iri)):
        by_part[_v(r, "part")].append(r)
    for p in participants:
        p["evidence"] = _quotes(by_part[_v(p, "part")])
        for quote in p["evidence"]:
            accounts.setdefault(quote["doc"], []).append({**quote, "person": _v(p, "person")})
    iris = {_v(p, "person") for p in participants} | set(props.get(SCHEMA + "location", [])) | \
        set(props.get(SCHEMA + "subjectOf", [])) | set(props.get(SCHEMA + "about", []))
    title = (props.get(PREFIXES["rdfs"] + "label") or [iri])[0]
    return _render("meeting.html", iri, types, title, props=props, participants=participants, label_iris=iris,
                   accounts=accounts,
                   AKG=AKG, SCHEMA=SCHEMA)


def agent_page(iri: str, types: set[str]) -> Response:
    s = state()
    props = defaultdict(list)
    for r in s.select("SELECT ?p ?o WHERE { ?r ?p ?o }", r=bind_iri(iri)):
        props[_v(r, "p")].append(_v(r, "o"))
    documents = s.select("""SELECT DISTINCT ?d ?date WHERE { ?d schema:mentions ?r ; a schema:ArchiveComponent .
        OPTIONAL { ?d dcterms:date ?date } } ORDER BY ?date LIMIT 200""", r=bind_iri(iri))
    meetings = s.select("""SELECT ?m ?date WHERE { ?m schema:location ?r . OPTIONAL { ?m schema:startDate ?date } }
        ORDER BY ?date LIMIT 200""", r=bind_iri(iri))
    people = s.select("""SELECT ?p (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d schema:mentions ?r, ?p . ?p a schema:Person }
        GROUP BY ?p ORDER BY DESC(?n) LIMIT 15""", r=bind_iri(iri))
    name = (props.get(SCHEMA + "name") or [iri])[0]
    iris = {_v(d, "d") for d in documents} | {_v(m, "m") for m in meetings} | {_v(p, "p") for p in people}
    kind = "place" if AKG + "Place" in types else "organization"
    return _render("agent.html", iri, types, name, props=props, documents=documents, meetings=meetings, people=people,
                   kind=kind, quotes=_evidence(iri)[:50], label_iris=iris, SCHEMA=SCHEMA, AKG=AKG)


def topic_page(iri: str, types: set[str]) -> Response:
    s = state()
    props = defaultdict(list)
    for r in s.select("SELECT ?p ?o WHERE { ?r ?p ?o }", r=bind_iri(iri)):
        props[_v(r, "p")].append(_v(r, "o"))
    narrower = [_v(r, "n") for r in s.select("SELECT ?n WHERE { ?n skos:broader ?r }", r=bind_iri(iri))]
    documents = s.select("""SELECT ?d ?date WHERE { ?d dcterms:subject ?r . OPTIONAL { ?d dcterms:date ?date } }
        ORDER BY ?date LIMIT 200""", r=bind_iri(iri))
    meetings = s.select("""SELECT ?m ?date WHERE { ?m schema:about ?r . OPTIONAL { ?m schema:startDate ?date } }
        ORDER BY ?date LIMIT 200""", r=bind_iri(iri))
    name = (props.get(SKOS + "prefLabel") or [iri])[0]
    iris = set(props.get(SKOS + "broader", [])) | set(narrower) | {_v(d, "d") for d in documents} | {_v(m, "m") for m in meetings}
    return _render("topic.html", iri, types, name, props=props, narrower=narrower, documents=documents,
                   meetings=meetings, label_iris=iris, SKOS=SKOS)


# how each motivation reads on an evidence page: what the quoted passage does for the annotation's body
_MOTIVATIONS = {OA + "identifying": "names it", OA + "describing": "describes it", OA + "classifying": "is about it"}


def _passage(target: str) -> dict | None:
    """The quoted passage that ``target`` locates: document, offsets, the quote and its context."""
    rows = state().select(f"""SELECT ?doc ?exact ?prefix ?suffix ?start ?end WHERE {{ {_PASSAGE}
        OPTIONAL {{ ?q oa:prefix ?prefix }} OPTIONAL {{ ?q oa:suffix ?suffix }} }} LIMIT 1""", t=bind_iri(target))
    if not rows:
        return None
    r = rows[0]
    start, end = int(_v(r, "start")), int(_v(r, "end"))
    prefix, suffix = _v(r, "prefix", ""), _v(r, "suffix", "")
    # the context is cut at a fixed length; shown from and to whole words (the text's start is no cut)
    if start > len(prefix) and " " in prefix:
        prefix = prefix[prefix.index(" ") + 1:]
    if len(suffix) == QUOTE_CONTEXT and " " in suffix:
        suffix = suffix[:suffix.rindex(" ")]
    return {"iri": target, "doc": _v(r, "doc"), "exact": _v(r, "exact"), "prefix": prefix, "suffix": suffix,
            "start": start, "end": end, "anchor": anchor_for(start, end)}


def _evidence_page(iri: str, types: set[str], passage: dict) -> Response:
    """A quoted passage, or one annotation on it, with everything the passage is evidence for."""
    rows = state().select("""SELECT ?a ?body ?why ?method ?conf ?score ?scope WHERE {
        ?a oa:hasTarget ?t ; oa:hasBody ?body ; oa:motivatedBy ?why .
        OPTIONAL { ?a akg:method ?method } OPTIONAL { ?a akg:confidence ?conf }
        OPTIONAL { ?a akg:score ?score } OPTIONAL { ?a oa:hasScope ?scope } } ORDER BY ?a""", t=bind_iri(passage["iri"]))
    annotations = [{"a": _v(r, "a"), "body": _v(r, "body"), "why": _MOTIVATIONS.get(_v(r, "why"), _prop_label(_v(r, "why"))),
                    "method": _v(r, "method"), "confidence": _v(r, "conf"), "score": _v(r, "score"),
                    "scope": _v(r, "scope")} for r in rows]
    iris = {passage["doc"]} | {a["body"] for a in annotations} | {a["scope"] for a in annotations if a["scope"]}
    # what links to a passage is the annotations listed here, and nothing in the graph links to an annotation
    return _render("evidence.html", iri, types, f"“{passage['exact']}”", passage=passage, annotations=annotations,
                   is_annotation=iri != passage["iri"], incoming=[], labels=labels(iris))


def annotation_page(iri: str, types: set[str]) -> Response:
    rows = state().select("SELECT ?t WHERE { ?a oa:hasTarget ?t } LIMIT 1", a=bind_iri(iri))
    passage = _passage(_v(rows[0], "t")) if rows else None
    return _evidence_page(iri, types, passage) if passage else generic_page(iri, types)


def generic_page(iri: str, types: set[str]) -> Response:
    rows = state().select("SELECT ?p ?o WHERE { ?r ?p ?o } ORDER BY ?p LIMIT 500", r=bind_iri(iri))
    if any(_v(r, "p") == OA + "hasSelector" for r in rows):  # an annotation target: a quoted passage
        passage = _passage(iri)
        if passage:
            return _evidence_page(iri, types, passage)
    iris = {_v(r, "o") for r in rows if r["o"]["type"] == "uri"} | {iri}
    lab = labels(iris)
    return _render("generic.html", iri, types, lab.get(iri, iri), rows=rows, prop_label=_prop_label, label_iris=iris)


# --- home, incoming, search, browse, query ------------------------------------------------------

@bp.route("/favicon.ico")
def favicon():
    from flask import redirect

    return redirect(url_for("static", filename="favicon.svg"), 301)


@bp.route("/")
def home():
    db = state().search_db()
    counts = {}
    if db is not None:
        counts = dict(db.execute("SELECT kind, COUNT(*) FROM names GROUP BY kind").fetchall())
        counts["document"] = db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        recent = db.execute("SELECT iri, title, date FROM documents ORDER BY date LIMIT 20").fetchall()
    else:
        recent = []
    return render_template("home.html", title="Explore", counts=counts, recent=recent)


@bp.route("/incoming")
def incoming():
    iri, prop = request.args.get("iri", ""), request.args.get("p", "")
    page = max(1, request.args.get("page", 1, type=int))
    try:
        iri_term(iri), iri_term(prop)
    except ValueError:
        abort(400)
    rows = state().select("SELECT DISTINCT ?s WHERE { ?s ?p ?r } ORDER BY ?s LIMIT %d OFFSET %d" % (PAGE + 1, (page - 1) * PAGE),
                          r=bind_iri(iri), p=bind_iri(prop))
    subjects = [_v(r, "s") for r in rows]
    return render_template("incoming.html", title=f"Links to {iri}", iri=iri, prop=_prop_label(prop), p=prop,
                           subjects=subjects[:PAGE], more=len(subjects) > PAGE, page=page,
                           labels=labels(subjects + [iri]))


def _fts_query(text: str, prefix: bool = False) -> str | None:
    """User text as an FTS5 query: words only, each quoted (no FTS syntax from the user reaches SQLite)."""
    words = re.findall(r"\w+", text, re.UNICODE)
    if not words:
        return None
    quoted = ['"%s"' % w.replace('"', "") for w in words]
    if prefix:
        quoted[-1] += "*"
    return " ".join(quoted)


@bp.route("/api/evidence")
def evidence_api():
    """The quotes behind an entity's mentions in one document, fetched when a reader opens them."""
    iri, doc = request.args.get("iri", ""), request.args.get("doc", "")
    try:
        iri_term(iri), iri_term(doc)
    except ValueError:
        abort(400)
    quotes = _evidence(iri, doc)
    return jsonify([{"exact": q["exact"], "href": local_link(q["doc"]) + "#" + q["anchor"],
                     "passage": local_link(q["passage"]), "method": q["method"],
                     "confidence": q["confidence"]} for q in quotes])


@bp.route("/api/suggest")
def suggest():
    query = _fts_query(request.args.get("q", ""), prefix=True)
    db = state().search_db()
    if not query or db is None:
        return jsonify([])
    rows = db.execute("SELECT iri, kind, label FROM names WHERE names MATCH ? ORDER BY rank, CAST(weight AS INTEGER) DESC LIMIT 10",
                      (query,)).fetchall()
    return jsonify([{"iri": r[0], "href": local_link(r[0]), "kind": r[1], "label": r[2]} for r in rows])


@bp.route("/search")
def search():
    q = request.args.get("q", "").strip()
    query = _fts_query(q)
    db = state().search_db()
    entities, documents = [], []
    if query and db is not None:
        entities = db.execute("SELECT iri, kind, label, weight FROM names WHERE names MATCH ? "
                              "ORDER BY rank LIMIT 50", (query,)).fetchall()
        documents = db.execute("SELECT texts.iri, d.title, d.date, snippet(texts, 2, '\x02', '\x03', '…', 24) "
                               "FROM texts JOIN documents d ON d.iri = texts.iri WHERE texts MATCH ? ORDER BY rank LIMIT 50",
                               (query,)).fetchall()
    documents = [(iri, title, date, _snippet(snip)) for iri, title, date, snip in documents]
    return render_template("search.html", title=f"Search: {q}" if q else "Search", q=q, entities=entities,
                           documents=documents)


def _snippet(text: str) -> Markup:
    """An FTS snippet with its match markers turned into <mark>, everything else escaped."""
    out = escape(text).replace("\x02", Markup("<mark>")).replace("\x03", Markup("</mark>"))
    return Markup(out)


FACETS = [("year", "Year"), ("type", "Document type"), ("issuer", "Originating body"), ("person", "Person"),
          ("place", "Place"), ("topic", "Topic")]


@bp.route("/browse")
def browse():
    db = state().search_db()
    if db is None:
        abort(503)
    chosen = [(f, v) for f, _ in FACETS for v in request.args.getlist(f)]
    where, params = "", []
    for facet, value in chosen:
        where += " AND d.iri IN (SELECT doc FROM facets WHERE facet = ? AND value = ?)"
        params += [facet, value]
    total = db.execute(f"SELECT COUNT(*) FROM documents d WHERE 1=1{where}", params).fetchone()[0]
    page = max(1, request.args.get("page", 1, type=int))
    docs = db.execute(f"SELECT d.iri, d.title, d.date, d.doc_type FROM documents d WHERE 1=1{where} "
                      f"ORDER BY d.date LIMIT ? OFFSET ?", params + [PAGE, (page - 1) * PAGE]).fetchall()
    facets = []
    for facet, title in FACETS:
        order = "f.value" if facet == "year" else "n DESC, f.label"
        rows = db.execute(f"SELECT f.value, f.label, COUNT(DISTINCT f.doc) AS n FROM facets f JOIN documents d ON d.iri = f.doc "
                          f"WHERE f.facet = ?{where} GROUP BY f.value, f.label ORDER BY {order} LIMIT 30",
                          [facet] + params).fetchall()
        facets.append({"name": facet, "title": title, "values": rows})
    chosen_labels = {v: l for f, v in chosen for (l,) in db.execute(
        "SELECT label FROM facets WHERE facet = ? AND value = ? LIMIT 1", (f, v)).fetchall()}
    return render_template("browse.html", title="Browse documents", total=total, docs=docs, facets=facets, chosen=chosen,
                           chosen_labels=chosen_labels, page=page, pages=(total + PAGE - 1) // PAGE)


EXAMPLES = [
    ("People Kim Il Sung met", """PREFIX schema: <https://schema.org/>
SELECT ?date ?other ?name WHERE {
  ?kim schema:name "Kim Il Sung" .
  ?m schema:attendee ?kim, ?other ; schema:startDate ?date .
  ?other schema:name ?name FILTER(?other != ?kim)
} ORDER BY ?date"""),
    ("Meetings per year", """PREFIX schema: <https://schema.org/>
SELECT ?year (COUNT(?m) AS ?meetings) WHERE {
  ?m a schema:Event ; schema:startDate ?date .
  BIND(SUBSTR(STR(?date), 1, 4) AS ?year)
} GROUP BY ?year ORDER BY ?year"""),
    ("Who met whom most often", """PREFIX schema: <https://schema.org/>
SELECT ?a ?b (COUNT(DISTINCT ?m) AS ?meetings) WHERE {
  ?m schema:attendee ?x, ?y . ?x schema:name ?a . ?y schema:name ?b FILTER(STR(?x) < STR(?y))
} GROUP BY ?a ?b ORDER BY DESC(?meetings) LIMIT 25"""),
    ("Documents on a topic", """PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?document ?title ?date WHERE {
  ?document dcterms:subject ?topic ; dcterms:title ?title . OPTIONAL { ?document dcterms:date ?date }
  ?topic skos:prefLabel "military intelligence"@en
} ORDER BY ?date"""),
    ("Where a person is named", """PREFIX schema: <https://schema.org/>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX akg: <https://w3id.org/archive-kg/ontology#>
SELECT ?document ?start ?quote ?passage ?method ?confidence WHERE {
  ?person schema:name "Kim Il Sung" .
  ?annotation oa:hasBody ?person ; oa:hasTarget ?passage ; akg:method ?method ; akg:confidence ?confidence .
  ?passage oa:hasSource ?document ; oa:hasSelector ?q, ?p .
  ?q oa:exact ?quote . ?p oa:start ?start
} ORDER BY ?document ?start"""),
]


@bp.route("/query")
def query_page():
    return render_template("query.html", title="Query", examples=EXAMPLES, query=request.args.get("query") or EXAMPLES[0][1],
                           prefixes=PREFIXES, base=state().base)
