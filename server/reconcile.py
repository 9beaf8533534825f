"""W3C Entity Reconciliation API (the protocol OpenRefine speaks), over the people, organizations and places.

Endpoints (all answer JSON, or JSONP with a ``callback`` parameter; CORS open to any origin):

* ``GET /reconcile`` with no queries: the service manifest (API version 0.2).
* ``GET|POST /reconcile`` with ``queries`` (a JSON object ``{"q0": {"query": ..., "type": ..., "limit": ...,
  "properties": [...]}, ...}``, as a URL or form parameter) answers ``{"q0": {"result": [candidates]}}``.
  The old single form ``query=<text or JSON object>`` answers ``{"result": [...]}``. A JSON body
  (``application/json``) may hold the same batch, ``{"queries": {...}}``, or the newer draft's
  ``{"queries": [...]}`` (answered as ``{"results": [{"candidates": [...]}]}``).
* ``GET /reconcile/preview?id=IRI``: a small HTML card (name, type, roles, documents).
* ``GET /reconcile/suggest/entity?prefix=...``, ``/reconcile/suggest/type?prefix=...`` and
  ``/reconcile/flyout/entity?id=...``: the suggest protocol.

Matching runs over an in-memory name index built once per graph generation (one SPARQL query for
names, one for document mentions). People are compared with :mod:`kg.names` (``name_key`` for
exact matches, ``same_person`` for compatible forms such as initials); organizations and places
by a folded string compare. Everything else falls back to a ``difflib`` similarity.

Scores (0..100): 100 for an exact match of the preferred or an alternate name; 85 for a compatible
person name (initials against given names, 'A. Puzanov' for 'Alexander Puzanov'), 75 for a bare
surname; 55..90 when every word of the query is in a longer name; otherwise the similarity ratio times 100, never 100. ``match`` is true only for the single
exact candidate. Candidates under :data:`MIN_SCORE` are left out.
"""
from __future__ import annotations

import difflib
import html
import json
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from flask import Blueprint, Response, current_app, request

from kg.names import name_key, name_parts, same_person, strip_accents
from kg.namespaces import AKG, PREFIXES
from kg.uris import DEFAULT_BASE

from .state import state

bp = Blueprint("reconcile", __name__)

SCHEMA = PREFIXES["schema"]
TYPES = {  # type IRI -> display name, in the order of the manifest
    SCHEMA + "Person": "Person",
    SCHEMA + "Organization": "Organization",
    SCHEMA + "Place": "Place",
}
PERSON = SCHEMA + "Person"

DEFAULT_LIMIT = 5
MAX_LIMIT = 100
MAX_QUERIES = 500  # queries in one batch (OpenRefine sends 10 at a time)
MAX_QUERY_CHARS = 500  # longer query strings are cut: no name is that long, and difflib is quadratic
MIN_SCORE = 50.0
EXACT = 100.0
COMPATIBLE = 85.0
SURNAME_ONLY = 75.0
CONTAINED, CONTAINED_SPAN = 55.0, 35.0  # all query words inside a longer name: 55 + 35 * (share of the name)
PROPERTY_BONUS = 3.0

FORM = "application/x-www-form-urlencoded"
_CALLBACK_RE = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)*$")


class ReconcileError(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


# --------------------------------------------------------------------------- folding


def fold(text: str) -> str:
    """Case, accents, apostrophes and punctuation folded: "Korean People's Army" -> 'korean peoples army'."""
    text = strip_accents(unicodedata.normalize("NFKC", text)).lower()
    text = text.replace("’", "").replace("'", "").replace("ł", "l")
    text = re.sub(r"[^\w]+", " ", text, flags=re.UNICODE).replace("_", " ")
    return re.sub(r"\s+", " ", text).strip()


def _safe_key(form: str) -> str:
    """``name_key`` with a usable surname, else ''. (Junk such as '"' or '} {' gives no key.)"""
    try:
        parts = name_parts(form)
    except Exception:  # noqa: BLE001 - a hostile string must never break a request
        return ""
    if parts is None or not parts.surname:
        return ""
    return name_key(form)


# --------------------------------------------------------------------------- the name index


@dataclass
class NameForm:
    text: str
    folded: str
    key: str = ""  # name_key, people only
    surname: str = ""  # folded surname, people only


@dataclass
class Entity:
    id: str
    types: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)  # schema:name
    labels: list[str] = field(default_factory=list)  # rdfs:label
    alternates: list[str] = field(default_factory=list)  # schema:alternateName
    roles: list[str] = field(default_factory=list)  # akg:roleDescription
    kinds: list[str] = field(default_factory=list)  # schema:additionalType
    documents: int = 0
    first_date: str = ""
    last_date: str = ""
    forms: list[NameForm] = field(default_factory=list)

    @property
    def is_person(self) -> bool:
        return PERSON in self.types

    @property
    def name(self) -> str:
        for group in (self.names, self.labels, self.alternates):
            if group:
                return group[0]
        return self.id.rstrip("/").rsplit("/", 1)[-1]

    def type_objects(self) -> list[dict]:
        return [{"id": t, "name": TYPES[t]} for t in self.types]

    def description(self) -> str:
        parts = list(self.roles) or list(self.kinds)
        if self.first_date:
            parts.append(f"first document {self.first_date}")
        return "; ".join(parts)


class NameIndex:
    def __init__(self, entities: dict[str, Entity], base: str):
        self.entities = entities
        self.base = base
        self.by_surname: dict[str, set[str]] = {}
        for entity in entities.values():
            seen = set()
            for text in [*entity.names, *entity.labels, *entity.alternates]:
                if text in seen:
                    continue
                seen.add(text)
                form = NameForm(text, fold(text))
                if entity.is_person:
                    form.key = _safe_key(text)
                    parts = name_parts(text) if form.key else None
                    form.surname = parts.surname if parts else ""
                    if form.surname:
                        self.by_surname.setdefault(form.surname, set()).add(entity.id)
                entity.forms.append(form)

    def get(self, entity_id: str) -> Optional[Entity]:
        entity = self.entities.get(entity_id)
        if entity is None and entity_id and "://" not in entity_id:
            entity = self.entities.get(self.base + "id/" + entity_id.lstrip("/"))
        return entity


_NAMES_QUERY = """
SELECT DISTINCT ?e ?t ?p ?v WHERE {
  VALUES ?t { schema:Person schema:Organization schema:Place }
  VALUES ?p { schema:name schema:alternateName rdfs:label akg:roleDescription schema:additionalType }
  ?e a ?t ; ?p ?v .
  FILTER(isIRI(?e) && isLiteral(?v))
}"""

_MENTIONS_QUERY = """
SELECT ?e (COUNT(DISTINCT ?d) AS ?n) (MIN(STR(?date)) AS ?first) (MAX(STR(?date)) AS ?last) WHERE {
  ?d a schema:ArchiveComponent ; schema:mentions ?e .
  OPTIONAL { ?d dcterms:date ?date }
} GROUP BY ?e"""

_PROPERTY_SLOTS = {
    PREFIXES["schema"] + "name": "names",
    PREFIXES["schema"] + "alternateName": "alternates",
    PREFIXES["rdfs"] + "label": "labels",
    AKG + "roleDescription": "roles",
    PREFIXES["schema"] + "additionalType": "kinds",
}


def _base_uri(entities: Iterable[str]) -> str:
    configured = current_app.config.get("BASE_URI")
    marker = state().store.path / "base-uri"
    if not configured and marker.exists():
        configured = marker.read_text().strip()
    if configured:
        return configured if configured.endswith(("/", "#")) else configured + "/"
    for entity_id in entities:
        m = re.match(r"^(.*?/)id/(?:person|organization|place)/", entity_id)
        if m:
            return m.group(1)
    return DEFAULT_BASE


def _build_index() -> NameIndex:
    s = state()
    entities: dict[str, Entity] = {}
    for row in s.select(_NAMES_QUERY):
        entity_id, type_id = row["e"]["value"], row["t"]["value"]
        entity = entities.setdefault(entity_id, Entity(entity_id))
        if type_id not in entity.types:
            entity.types.append(type_id)
        slot = getattr(entity, _PROPERTY_SLOTS[row["p"]["value"]])
        value = row["v"]["value"].strip()
        if value and value not in slot:
            slot.append(value)
    for row in s.select(_MENTIONS_QUERY):
        entity = entities.get(row["e"]["value"])
        if entity is None:
            continue
        entity.documents = int(row["n"]["value"])
        entity.first_date = row.get("first", {}).get("value", "")
        entity.last_date = row.get("last", {}).get("value", "")
    for entity in entities.values():
        entity.types.sort(key=list(TYPES).index)
        entity.names.sort()
        entity.labels.sort()
        entity.alternates.sort()
        entity.roles.sort()
        entity.kinds.sort()
    return NameIndex(entities, _base_uri(entities))


_index_lock = threading.Lock()


def name_index() -> NameIndex:
    """The index of the graph being served, built once per generation (a build or a write changes it).

    Kept on the app state (one per app), as ``(generation, index)``.
    """
    s = state()
    generation = s.generation()
    cached = getattr(s, "_reconcile_index", None)
    if cached is not None and cached[0] == generation:
        return cached[1]
    with _index_lock:
        cached = getattr(s, "_reconcile_index", None)
        if cached is None or cached[0] != generation:
            cached = (generation, _build_index())
            s._reconcile_index = cached
    return cached[1]


# --------------------------------------------------------------------------- matching


@dataclass
class Query:
    text: str
    types: list[str]  # empty: all types
    limit: int
    properties: list[tuple[str, list[str]]]


@dataclass
class Candidate:
    entity: Entity
    score: float
    ratio: float
    exact: bool


def _ratio(matcher: difflib.SequenceMatcher, other: str) -> float:
    """Similarity of the matcher's query (seq2) to ``other``, with the cheap upper bounds tried first."""
    if not other:
        return 0.0
    matcher.set_seq1(other)
    if matcher.real_quick_ratio() < MIN_SCORE / 100 or matcher.quick_ratio() < MIN_SCORE / 100:
        return 0.0
    return matcher.ratio()


def _score_entity(entity: Entity, q_fold: str, q_words: set[str], q_key: str, q_surname: str, q_has_given: bool, text: str,
                  fold_matcher: difflib.SequenceMatcher, key_matcher: Optional[difflib.SequenceMatcher]) -> Candidate:
    best, best_ratio, exact = 0.0, 0.0, False
    for form in entity.forms:
        ratio = _ratio(fold_matcher, form.folded)
        if key_matcher is not None and form.key:
            ratio = max(ratio, _ratio(key_matcher, form.key))
        best_ratio = max(best_ratio, ratio)
        if entity.is_person:
            if q_key and form.key and q_key == form.key:
                exact = True
            elif q_surname and form.surname == q_surname and same_person(text, form.text):
                best = max(best, COMPATIBLE if q_has_given else SURNAME_ONLY)
        if q_fold and form.folded == q_fold:
            exact = True
        elif q_words and q_words <= set(form.folded.split()):
            # every word of the query is in the name ('Soviet' in 'Soviet Embassy in the DPRK')
            best = max(best, min(CONTAINED + (CONTAINED_SPAN * len(q_fold) / max(len(form.folded), 1)), 95.0))
    if exact:
        return Candidate(entity, EXACT, 1.0, True)
    # a similarity never reaches 100: that is kept for exact name matches
    return Candidate(entity, max(best, min(best_ratio * 100, 99.0)), best_ratio, False)


def _property_matches(entity: Entity, properties: list[tuple[str, list[str]]]) -> int:
    hits = 0
    for pid, values in properties:
        slot = _property_slot(pid)
        if slot is None:
            continue
        folded = [fold(v) for v in values if fold(v)]
        if slot == "date":
            years = [int(m.group(0)) for v in values for m in [re.search(r"\d{4}", v)] if m]
            first, last = entity.first_date[:4], entity.last_date[:4]
            if first.isdigit() and last.isdigit() and any(int(first) <= y <= int(last) for y in years):
                hits += 1
            continue
        have = [fold(v) for v in getattr(entity, slot)]
        if any(f and (f in h or h in f) for f in folded for h in have if h):
            hits += 1
    return hits


def _property_slot(pid: str) -> Optional[str]:
    local = re.split(r"[#/:]", pid.strip())[-1].lower()
    return {"roledescription": "roles", "role": "roles", "additionaltype": "kinds", "kind": "kinds",
            "date": "date", "alternatename": "alternates", "name": "names", "label": "labels"}.get(local)


def reconcile(index: NameIndex, query: Query) -> list[dict]:
    text = query.text[:MAX_QUERY_CHARS].strip()
    q_fold = fold(text)
    if not q_fold:
        return []
    q_words = set(q_fold.split())
    q_key = _safe_key(text)
    parts = name_parts(text) if q_key else None
    q_surname = parts.surname if parts else ""
    q_has_given = bool(parts and parts.given)
    fold_matcher = difflib.SequenceMatcher(None, autojunk=False)
    fold_matcher.set_seq2(q_fold)
    key_matcher = None
    if q_key:
        key_matcher = difflib.SequenceMatcher(None, autojunk=False)
        key_matcher.set_seq2(q_key)

    candidates: list[Candidate] = []
    for entity in index.entities.values():
        if query.types and not any(t in query.types for t in entity.types):
            continue
        cand = _score_entity(entity, q_fold, q_words, q_key, q_surname, q_has_given, text, fold_matcher, key_matcher)
        if query.properties and cand.score >= MIN_SCORE:
            hits = _property_matches(entity, query.properties)
            if hits and not cand.exact:
                cand.score = min(cand.score + PROPERTY_BONUS * hits, 99.0)
        if cand.score >= MIN_SCORE:
            candidates.append(cand)
    candidates.sort(key=lambda c: (-c.score, -c.ratio, c.entity.name.lower(), c.entity.id))
    single_exact = sum(1 for c in candidates if c.exact) == 1
    out = []
    for cand in candidates[: query.limit]:
        entity = cand.entity
        out.append({
            "id": entity.id,
            "name": entity.name,
            "type": entity.type_objects(),
            "score": round(cand.score, 1),
            "match": bool(cand.exact and single_exact),
            "description": entity.description(),
        })
    return out


# --------------------------------------------------------------------------- parsing requests


def _normalize_type(value: Any) -> list[str]:
    """A type given as an IRI, 'schema:Person', 'Person' or {'id': ...}; unknown types are kept (and match nothing)."""
    values = value if isinstance(value, list) else [value]
    out = []
    for v in values:
        if isinstance(v, dict):
            v = v.get("id")
        if v is None or v == "":
            continue
        if not isinstance(v, str):
            raise ReconcileError(f"A query's 'type' must be a string (a type id), not {json.dumps(v)[:100]}")
        local = re.split(r"[#/:]", v.strip())[-1]
        match = next((t for t, name in TYPES.items() if name.lower() == local.lower()), None)
        out.append(match or v)
    return out


def _property_values(v: Any) -> list[str]:
    values = v if isinstance(v, list) else [v]
    out = []
    for item in values:
        if isinstance(item, dict):
            item = item.get("name") or item.get("id")
        if isinstance(item, (str, int, float)) and not isinstance(item, bool):
            out.append(str(item))
    return out


def parse_query(raw: Any, label: str) -> Query:
    if isinstance(raw, str):
        raw = {"query": raw}
    if not isinstance(raw, dict):
        raise ReconcileError(f"Query {label} must be a JSON object such as {{\"query\": \"Kim Il Sung\"}}")
    text = raw.get("query")
    if text is None and isinstance(raw.get("conditions"), list):  # the newer draft: a name condition
        text = next((c.get("propertyValue") for c in raw["conditions"]
                     if isinstance(c, dict) and c.get("matchType") == "name"), None)
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise ReconcileError(f"Query {label}: 'query' must be a string")
    limit = raw.get("limit", DEFAULT_LIMIT)
    if isinstance(limit, str) and limit.strip().isdigit():
        limit = int(limit)
    if isinstance(limit, float) and limit.is_integer():
        limit = int(limit)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
        raise ReconcileError(f"Query {label}: 'limit' must be a non-negative integer")
    properties = []
    props = raw.get("properties") or []
    if not isinstance(props, list):
        raise ReconcileError(f"Query {label}: 'properties' must be a list of {{\"pid\", \"v\"}} objects")
    for prop in props:
        if not isinstance(prop, dict) or not isinstance(prop.get("pid", prop.get("p")), str):
            raise ReconcileError(f"Query {label}: each property needs a string 'pid' and a value 'v'")
        properties.append((prop.get("pid", prop.get("p")), _property_values(prop.get("v"))))
    for cond in raw.get("conditions") or []:
        if isinstance(cond, dict) and cond.get("matchType") == "property" and isinstance(cond.get("propertyId"), str):
            properties.append((cond["propertyId"], _property_values(cond.get("propertyValue"))))
    return Query(text, _normalize_type(raw.get("type")), min(limit, MAX_LIMIT), properties)


def _load_json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ReconcileError(f"The '{what}' parameter is not valid JSON: {exc}") from None


def _params() -> dict[str, str]:
    """URL parameters, then form fields (a form value wins)."""
    params = {k: request.args.get(k) for k in request.args}
    if request.method == "POST" and request.mimetype in (FORM, "multipart/form-data"):
        params.update({k: request.form.get(k) for k in request.form})
    return params


def _callback(params: dict[str, str]) -> Optional[str]:
    callback = params.get("callback")
    if callback is None:
        return None
    if len(callback) > 128 or not _CALLBACK_RE.match(callback):
        raise ReconcileError("The 'callback' parameter must be a JavaScript identifier (letters, digits, _, $, dots)")
    return callback


# --------------------------------------------------------------------------- responses


def _json(data: Any, callback: Optional[str] = None, status: int = 200) -> Response:
    # '<', '>' and '&' escaped: the JSON stays valid and can never close a <script> it is pasted into
    body = json.dumps(data, ensure_ascii=True).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    if callback:
        return Response(f"/**/{callback}({body});", status=status, mimetype="application/javascript",
                        headers={"X-Content-Type-Options": "nosniff"})
    return Response(body, status=status, mimetype="application/json")


@bp.errorhandler(ReconcileError)
def _reconcile_error(exc: ReconcileError):
    return _json({"error": str(exc), "status": exc.status}, status=exc.status)


@bp.after_request
def _cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
    return response


def _index_or_503() -> NameIndex:
    try:
        return name_index()
    except Exception as exc:  # noqa: BLE001 - the pool's timeout/busy/crash, a broken store
        raise ReconcileError(f"The name index could not be read from the graph: {exc}", 503) from None


def _root() -> str:
    return request.url_root.rstrip("/") + "/reconcile"


def manifest() -> dict:
    index = _index_or_503()
    root = _root()
    return {
        "versions": ["0.2"],
        "name": "archive-kg reconciliation",
        "identifierSpace": index.base + "id/",
        "schemaSpace": AKG,
        "defaultTypes": [{"id": t, "name": name} for t, name in TYPES.items()],
        "view": {"url": "{{id}}"},
        "preview": {"url": root + "/preview?id={{id}}", "width": 400, "height": 100},
        "suggest": {
            "entity": {"service_url": root, "service_path": "/suggest/entity",
                       "flyout_service_path": "/flyout/entity?id=${id}"},
            "type": {"service_url": root, "service_path": "/suggest/type"},
        },
    }


@bp.route("/reconcile", methods=["GET", "POST", "OPTIONS"])
def reconcile_endpoint():
    if request.method == "OPTIONS":
        return Response(status=204)
    params = _params()
    callback = _callback(params)
    body = None
    mimetype = request.mimetype or ""
    if request.method == "POST" and (mimetype == "application/json" or mimetype.endswith("+json")):
        raw = request.get_data()
        if raw.strip():
            try:
                body = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError, RecursionError) as exc:
                raise ReconcileError(f"The request body is not valid JSON: {exc}") from None

    if body is not None:
        if isinstance(body, dict) and "queries" in body:
            batch = body["queries"]
            if isinstance(batch, str):
                batch = _load_json(batch, "queries")
        else:
            batch = body
        return _json(_answer_batch(batch), callback)
    if params.get("queries") is not None:
        return _json(_answer_batch(_load_json(params["queries"], "queries")), callback)
    if params.get("query") is not None:
        raw = params["query"]
        single: Any = raw
        if raw.lstrip().startswith("{"):
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = None  # a name that happens to start with a brace
            if isinstance(parsed, dict):
                single = parsed
        return _json({"result": reconcile(_index_or_503(), parse_query(single, "query"))}, callback)
    return _json(manifest(), callback)


def _answer_batch(batch: Any) -> dict | list:
    index = _index_or_503()
    if isinstance(batch, list):  # the newer draft: a list in, a list of candidate lists out
        if len(batch) > MAX_QUERIES:
            raise ReconcileError(f"Too many queries in one request ({len(batch)}); at most {MAX_QUERIES}")
        queries = [parse_query(raw, f"#{i}") for i, raw in enumerate(batch)]
        return {"results": [{"candidates": reconcile(index, q)} for q in queries]}
    if not isinstance(batch, dict):
        raise ReconcileError("'queries' must be a JSON object mapping keys to queries, "
                             "such as {\"q0\": {\"query\": \"Kim Il Sung\"}}")
    if len(batch) > MAX_QUERIES:
        raise ReconcileError(f"Too many queries in one request ({len(batch)}); at most {MAX_QUERIES}")
    queries = {key: parse_query(raw, repr(key)) for key, raw in batch.items()}  # all checked before any runs
    return {key: {"result": reconcile(index, q)} for key, q in queries.items()}


# --------------------------------------------------------------------------- preview, flyout


def _card(entity: Entity) -> str:
    e = html.escape
    name = e(entity.name)
    link = f'<a href="{e(entity.id)}" target="_blank" rel="noopener">{name}</a>' \
        if entity.id.startswith(("http://", "https://")) else name
    types = ", ".join(e(TYPES[t]) for t in entity.types)
    details = [types]
    if entity.roles or entity.kinds:
        details.append(e("; ".join(entity.roles or entity.kinds)))
    mentions = f"{entity.documents} document{'s' if entity.documents != 1 else ''}"
    if entity.first_date:
        span = entity.first_date if entity.first_date == entity.last_date else f"{entity.first_date} – {entity.last_date}"
        mentions += f" ({e(span)})"
    others = [a for a in entity.alternates if a != entity.name][:3]
    also = f'<div class="also">also: {e(", ".join(others))}</div>' if others else ""
    return (f'<div class="akg-card"><div class="name">{link}</div>'
            f'<div class="meta">{" · ".join(d for d in details if d)}</div>{also}'
            f'<div class="docs">Mentioned in {mentions}</div></div>')


_CARD_STYLE = ("body{margin:0;font:13px/1.35 sans-serif}.akg-card{padding:4px 6px}.name{font-weight:bold;font-size:14px}"
               ".meta,.also{color:#555}.docs{color:#333;margin-top:2px}")


def _page(body: str, status: int = 200) -> Response:
    page = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>archive-kg preview</title>'
            f"<style>{_CARD_STYLE}</style></head><body>{body}</body></html>")
    return Response(page, status=status, mimetype="text/html",
                    headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
                             "X-Content-Type-Options": "nosniff"})


@bp.route("/reconcile/preview", methods=["GET"])
def preview():
    entity_id = request.args.get("id", "")
    if not entity_id:
        return _page('<div class="akg-card">Missing the <code>id</code> parameter.</div>', 400)
    entity = _index_or_503().get(entity_id)
    if entity is None:
        return _page(f'<div class="akg-card">No person, organization or place with the id '
                     f"<code>{html.escape(entity_id)}</code>.</div>", 404)
    return _page(_card(entity))


@bp.route("/reconcile/flyout/entity", methods=["GET"])
def flyout():
    params = _params()
    callback = _callback(params)
    entity_id = params.get("id", "")
    entity = _index_or_503().get(entity_id)
    if entity is None:
        raise ReconcileError(f"No person, organization or place with the id {entity_id!r}", 404)
    return _json({"id": entity.id, "html": f"<style>{_CARD_STYLE}</style>{_card(entity)}"}, callback)


# --------------------------------------------------------------------------- suggest


def _int_param(params: dict[str, str], name: str, default: int, maximum: int) -> int:
    value = params.get(name)
    if value is None or value == "":
        return default
    if not value.strip().isdigit():
        raise ReconcileError(f"The '{name}' parameter must be a non-negative integer")
    return min(int(value), maximum)


@bp.route("/reconcile/suggest/entity", methods=["GET"])
def suggest_entity():
    params = _params()
    callback = _callback(params)
    prefix = fold((params.get("prefix") or "")[:MAX_QUERY_CHARS])
    limit = _int_param(params, "limit", 10, MAX_LIMIT)
    cursor = _int_param(params, "cursor", 0, 1_000_000)
    types = _normalize_type(params.get("type")) if params.get("type") else []
    hits = []
    if prefix:
        for entity in _index_or_503().entities.values():
            if types and not any(t in types for t in entity.types):
                continue
            rank = None
            for form in entity.forms:
                if form.folded.startswith(prefix):
                    rank = 0 if form.text == entity.name else min(rank if rank is not None else 1, 1)
                elif any(word.startswith(prefix) for word in form.folded.split()) \
                        or (" " in prefix and f" {prefix}" in f" {form.folded}"):
                    rank = min(rank if rank is not None else 2, 2)
            if rank is not None:
                hits.append((rank, entity.name.lower(), entity))
    hits.sort(key=lambda h: (h[0], h[1], h[2].id))
    result = [{"id": ent.id, "name": ent.name, "description": ent.description(), "notable": ent.type_objects()}
              for _, _, ent in hits[cursor:cursor + limit]]
    return _json({"result": result}, callback)


@bp.route("/reconcile/suggest/type", methods=["GET"])
def suggest_type():
    params = _params()
    callback = _callback(params)
    prefix = fold(params.get("prefix") or "")
    result = [{"id": t, "name": name} for t, name in TYPES.items() if not prefix or fold(name).startswith(prefix)]
    return _json({"result": result}, callback)
