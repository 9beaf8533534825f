"""Linked data: every URI the build mints answers, for machines and for people.

Policy: 200 on the URI itself, by content negotiation (``Vary: Accept``): HTML for
browsers, Turtle, N-Triples, JSON-LD or RDF/XML for clients that ask; ``?format=``
or a ``.ttl``/``.nt``/``.jsonld``/``.rdf`` suffix give copyable data links. The RDF
of a resource is its description (every triple with it as subject) plus the
labels of what it links to. Also here: the ontology, VoID, the sitemap, dumps.
"""
from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, abort, redirect, render_template, request, send_file, url_for

from kg.namespaces import PREFIXES, iri_term
from ontology import path as ontology_path

from .formats import GRAPH_ONLY, RDF_FORMATS, from_format_parameter, negotiate
from .state import state

bp = Blueprint("linked_data", __name__)

SUFFIXES = {".ttl": "text/turtle", ".nt": "application/n-triples", ".jsonld": "application/ld+json",
            ".rdf": "application/rdf+xml"}
SUFFIX_OF = {v: k for k, v in SUFFIXES.items()}
ONTOLOGY_IRI = "https://w3id.org/archive-kg/ontology"


def chosen_format(offer_html: bool = True) -> str | None:
    fmt = request.args.get("format")
    if fmt:
        return "text/html" if fmt.lower() in ("html", "text/html") else from_format_parameter(fmt)
    offered = (["text/html"] if offer_html else []) + GRAPH_ONLY
    return negotiate(request.headers.get("Accept"), offered, "text/html" if offer_html else "text/turtle")


def describe(iri: str) -> list[ox.Triple]:
    """The concise description of a resource and the labels of the resources it links to."""
    rows = state().select(
        "SELECT DISTINCT ?p ?o ?lp ?l WHERE { ?r ?p ?o . OPTIONAL { ?o ?lp ?l . "
        "FILTER(isIRI(?o) && ?lp IN (rdfs:label, skos:prefLabel, schema:name)) } }", r=("iri", iri))
    triples: set[ox.Triple] = set()
    subject = ox.NamedNode(iri)
    for row in rows:
        obj = _term(row["o"])
        triples.add(ox.Triple(subject, ox.NamedNode(row["p"]["value"]), obj))
        if "lp" in row and isinstance(obj, ox.NamedNode):
            triples.add(ox.Triple(obj, ox.NamedNode(row["lp"]["value"]), _term(row["l"])))
    return sorted(triples, key=str)


def _term(binding: dict):
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(value)
    if "xml:lang" in binding:
        return ox.Literal(value, language=binding["xml:lang"])
    if "datatype" in binding:
        return ox.Literal(value, datatype=ox.NamedNode(binding["datatype"]))
    return ox.Literal(value)


def rdf_response(triples: list[ox.Triple], mime: str, iri: str | None = None) -> Response:
    body = ox.serialize(triples, format=RDF_FORMATS[mime], **({"prefixes": PREFIXES} if mime == "text/turtle" else {}))
    response = Response(body, content_type=f"{mime}; charset=utf-8")
    if iri:
        _link_headers(response, iri)
    response.vary.add("Accept")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _link_headers(response: Response, iri: str) -> None:
    path = request.path
    for suffix, mime in SUFFIXES.items():
        if path.endswith(suffix):
            path = path[: -len(suffix)]
    links = [f'<{iri}>; rel="canonical"'] + [f'<{path}{suffix}>; rel="alternate"; type="{mime}"'
                                              for suffix, mime in SUFFIXES.items()]
    response.headers["Link"] = ", ".join(links)


def exists(iri: str) -> bool:
    return state().ask("ASK { { ?r ?p ?o } UNION { ?s ?p ?r } }", r=("iri", iri))


@bp.route("/id/<path:local>")
def resource(local: str):
    suffix = next((s for s in SUFFIXES if local.endswith(s)), None)
    if suffix:
        local = local[: -len(suffix)]
    iri = state().base + "id/" + local
    if request.path.endswith("/") and not local.endswith("/"):
        iri += "/"
    try:
        iri_term(iri)  # a path that cannot be an IRI of ours names nothing
    except ValueError:
        abort(404)
    mime = SUFFIXES[suffix] if suffix else chosen_format()
    if mime is None:
        return Response("No acceptable format: HTML, Turtle, N-Triples, JSON-LD or RDF/XML\n", status=406,
                        mimetype="text/plain", headers={"Vary": "Accept"})
    retired = state().retired(iri)
    if retired and retired["status"] == "replaced":
        target = retired["replaced_by"]
        from .explorer import local_link

        response = redirect(local_link(target) + (suffix or ""), 301)
        response.headers["Link"] = f'<{target}>; rel="canonical"'
        return response
    if retired:
        abort(410, description=f"{iri} was published by an earlier build and no longer stands for anything in the graph.")
    if not exists(iri):
        abort(404)
    if mime == "text/html":
        from .explorer import entity_page

        response = entity_page(iri)
        _link_headers(response, iri)
        response.vary.add("Accept")
        return response
    return rdf_response(describe(iri), mime, iri)


@bp.route("/graph/<path:local>")
def named_graph(local: str):
    """A named graph's IRI: its triples as data; people are sent to the document it holds."""
    iri = state().base + "graph/" + local
    mime = chosen_format()
    if mime == "text/html":
        if local.startswith("document/"):
            return redirect(url_for("linked_data.resource", local=local), 303)
        return redirect(url_for("graph_store.read_graph", graph=iri), 303)
    if mime is None:
        abort(406)
    triples = state().graph_triples(ox.NamedNode(iri))
    if triples is None:
        abort(404)
    return rdf_response(triples, mime, iri)


# --- the ontology ------------------------------------------------------------------------

@bp.route("/ontology")
@bp.route("/ontology.<ext>")
def ontology(ext: str | None = None):
    mime = SUFFIXES.get(f".{ext}") if ext else chosen_format()
    if mime is None:
        abort(406)
    if mime == "text/turtle" and not request.args:
        return send_file(ontology_path("archive-kg.ttl"), mimetype="text/turtle")
    store = ox.Store()
    with open(ontology_path("archive-kg.ttl"), "rb") as f:
        store.load(f, ox.RdfFormat.TURTLE, base_iri=ONTOLOGY_IRI)
    if mime != "text/html":
        return rdf_response([ox.Triple(q.subject, q.predicate, q.object) for q in store], mime)
    terms: dict[str, dict] = {}
    for q in store:
        s = q.subject.value
        if not s.startswith(PREFIXES["akg"]):
            continue
        term = terms.setdefault(s, {"iri": s, "name": s[len(PREFIXES["akg"]):], "types": [], "props": []})
        p, o = q.predicate.value, q.object
        if p.endswith("#label"):
            term["label"] = o.value
        elif p.endswith("#comment"):
            term["comment"] = o.value
        elif p == PREFIXES["rdf"] + "type":
            term["types"].append(_short(o.value))
        elif p != PREFIXES["rdfs"] + "isDefinedBy":
            term["props"].append((_short(p), _short(o.value) if isinstance(o, ox.NamedNode) else o.value))
    classes = sorted((t for t in terms.values() if "owl:Class" in t["types"]), key=lambda t: t["name"])
    properties = sorted((t for t in terms.values() if "owl:Class" not in t["types"]), key=lambda t: t["name"])
    return render_template("ontology.html", classes=classes, properties=properties, ontology_iri=ONTOLOGY_IRI,
                           title="The archive-kg ontology")


def _short(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


# --- publication: VoID, sitemap, dumps ------------------------------------------------------

@bp.route("/.well-known/void")
def void():
    mime = chosen_format(offer_html=False) or "text/turtle"
    s = state()
    base = s.base
    dataset = ox.NamedNode(base + "id/dataset")
    V, D, R = PREFIXES["void"], PREFIXES["dcterms"], PREFIXES["rdf"]
    n = ox.NamedNode
    counts = s.select("""SELECT ?class (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?class
        FILTER(?class IN (schema:ArchiveComponent, schema:Event, schema:Person, schema:Organization, schema:Place, skos:Concept, oa:Annotation)) }
        GROUP BY ?class""")
    triples = [
        ox.Triple(dataset, n(R + "type"), n(V + "Dataset")),
        ox.Triple(dataset, n(D + "title"), ox.Literal("archive-kg knowledge graph", language="en")),
        ox.Triple(dataset, n(D + "description"), ox.Literal(
            "Archival documents, the meetings they report, and the people, organizations, places and topics they "
            "mention, with the evidence for every fact.", language="en")),
        ox.Triple(dataset, n(D + "license"), n("https://creativecommons.org/licenses/by/4.0/")),
        ox.Triple(dataset, n(V + "sparqlEndpoint"), n(request.url_root + "sparql")),
        ox.Triple(dataset, n(V + "uriSpace"), ox.Literal(base + "id/")),
        ox.Triple(dataset, n(V + "triples"), ox.Literal(str(s.triple_count()), datatype=n(PREFIXES["xsd"] + "integer"))),
        ox.Triple(dataset, n(V + "vocabulary"), n(PREFIXES["schema"])),
        ox.Triple(dataset, n(V + "vocabulary"), n(PREFIXES["akg"])),
        ox.Triple(dataset, n(V + "rootResource"), n(base + "id/topic/")),
    ]
    if s.dump_files():
        triples.append(ox.Triple(dataset, n(V + "dataDump"), n(request.url_root + "dumps/archive-kg.nq.gz")))
    for i, row in enumerate(counts):
        partition = ox.NamedNode(base + f"id/dataset/class/{i}")
        triples += [ox.Triple(dataset, n(V + "classPartition"), partition),
                    ox.Triple(partition, n(V + "class"), n(row["class"]["value"])),
                    ox.Triple(partition, n(V + "entities"), ox.Literal(row["n"]["value"], datatype=n(PREFIXES["xsd"] + "integer")))]
    for row in s.select("SELECT ?x WHERE { ?x a ?c } ORDER BY ?x LIMIT 1", c=("iri", PREFIXES["schema"] + "Person")) + \
            s.select("SELECT ?x WHERE { ?x a ?c } ORDER BY ?x LIMIT 1", c=("iri", PREFIXES["schema"] + "ArchiveComponent")):
        triples.append(ox.Triple(dataset, n(V + "exampleResource"), n(row["x"]["value"])))
    return rdf_response(triples, mime)


@bp.route("/sitemap.xml")
def sitemap():
    rows = state().select("""SELECT DISTINCT ?x WHERE { ?x a ?c
        FILTER(?c IN (schema:ArchiveComponent, schema:Event, schema:Person, schema:Organization, schema:Place, skos:Concept)) }
        ORDER BY ?x LIMIT 50000""")
    base = state().base
    urls = [r["x"]["value"] for r in rows if r["x"]["value"].startswith(base)]
    from markupsafe import escape

    body = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    body += [f"<url><loc>{escape(u)}</loc></url>" for u in urls]
    body.append("</urlset>")
    return Response("\n".join(body) + "\n", mimetype="application/xml")


WHOLE_DUMP = "archive-kg.nq.gz"


@bp.route("/dumps/")
def dumps_index():
    shards = state().dump_files()
    files = [(WHOLE_DUMP, sum(p.stat().st_size for p in shards))] if shards else []
    parts = [(p.name, p.stat().st_size) for p in shards]
    return render_template("dumps.html", files=files, parts=parts, title="Downloads")


@bp.route("/dumps/<name>")
def dump(name: str):
    """The shards laid end to end: one gzip stream of the whole graph, with ETag and byte ranges (resumable)."""
    from kg import dump as dumps

    shards = state().dump_files()
    if name != WHOLE_DUMP or not shards:
        abort(404)
    total = sum(p.stat().st_size for p in shards)
    etag = f"{shards[0].parent.name}-{total}"  # the build that made it
    headers = {"ETag": f'"{etag}"', "Accept-Ranges": "bytes",
               "Content-Disposition": f'attachment; filename="{WHOLE_DUMP}"'}
    if request.if_none_match.contains(etag):
        return Response(status=304, headers=headers)
    start, stop, status = 0, total, 200
    if request.range is not None and request.if_range.date is None and request.if_range.etag in (None, etag):
        chosen = request.range.range_for_length(total)
        if chosen is None:
            return Response(status=416, headers={**headers, "Content-Range": f"bytes */{total}"})
        (start, stop), status = chosen, 206
        headers["Content-Range"] = f"bytes {start}-{stop - 1}/{total}"
    headers["Content-Length"] = str(stop - start)
    # shards are opened as the stream reaches them: a download outlives one more build (the previous
    # database is kept), and the ETag tells a client that resumes across two that the dump changed
    body = () if request.method == "HEAD" else dumps.stream(shards, start, stop)
    return Response(body, status=status, mimetype="application/n-quads", headers=headers)


@bp.route("/dumps/parts/<name>")
def dump_part(name: str):
    """One shard: a gzipped N-Quads file of whole named graphs, for bulk loaders that take many files."""
    path = {p.name: p for p in state().dump_files()}.get(name)
    if path is None:
        abort(404)
    return send_file(path, mimetype="application/n-quads", as_attachment=True, download_name=name,
                     conditional=True, etag=True)
