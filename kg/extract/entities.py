"""Organizations and places: the gazetteer first, then capitalized phrases with an
organization or building head noun ("Main Directorate of the Civil Air Fleet",
"Shenyang Railway Station")."""
from __future__ import annotations

import re
from typing import Optional

from .. import names
from ..gazetteer import Entry, Gazetteer, fold
from ..records import EntityRecord, Mention, ParsedDocument, Span
from .lexicon import COUNTRY_TAGS, DEMONYMS, ORG_HEADS, PERSON_TITLES, PLACE_HEADS, STOPWORDS

_DEMONYM_ALT = "|".join(sorted({d.capitalize() for d in DEMONYMS} | {"Soviet", "Polish", "Chinese"}, key=len, reverse=True))
# a chain of demonyms is one qualifier: 'Soviet Communist delegation', not 'Communist delegation'
_DEMONYM_ORG_RE = re.compile(
    r"\b((?:%s)(?:[ \t]+(?:%s))*)[ \t]+(embassy|government|delegation|leadership|side|military specialists|specialists|comrades)\b"
    % (_DEMONYM_ALT, _DEMONYM_ALT))


def _display(phrase: str, gazetteer: Gazetteer) -> str:
    if not phrase.isupper():
        return re.sub(r"\s+", " ", phrase)
    words = []
    for w in phrase.split():
        if gazetteer.lookup("place", w) or gazetteer.lookup("organization", w) or len(w) <= 4 and w not in ("THE", "OF", "IN", "TO", "FOR", "AND", "FROM", "WITH"):
            words.append(w)
        elif w in ("OF", "THE", "IN", "TO", "FOR", "AND"):
            words.append(w.lower())
        else:
            words.append(names.smart_title(w))
    return " ".join(words)


_SPACES_RE = re.compile(r"\s+")
_LEADING_THE_RE = re.compile(r"^(?:the|The)\s+")


class _Collector:
    def __init__(self, kind: str, text: str):
        self.kind, self.text = kind, text
        self.records: dict[str, EntityRecord] = {}

    def add(self, key: str, name: str, start: int, end: int, method: str, confidence: float,
            entry: Optional[Entry] = None, form: Optional[str] = None) -> None:
        record = self.records.get(key)
        if record is None:
            record = EntityRecord(self.kind, key, name, [], [], gazetteer_id=entry.slug if entry else None,
                                  entity_type=entry.type if entry else None)
            self.records[key] = record
        surface = form or _LEADING_THE_RE.sub("", _SPACES_RE.sub(" ", self.text[start:end]))
        if surface not in record.forms:
            record.forms.append(surface)
        if not any(m.start == start and m.end == end for m in record.mentions):
            record.mentions.append(Mention(start, end, self.text[start:end], method, confidence))


_WORD_RE = re.compile(r"[^\s\[\](),;:!?\"“”„«»/…]+")
_CONNECTORS = {"of", "the", "for", "and", "on", "de"}
_ADJECTIVE_TITLES = {"general", "main", "central", "supreme", "state", "first", "second", "military", "foreign",
                     "political", "national", "people's", "peoples", "joint", "chief"}
_STOP_LEFT = (PERSON_TITLES - _ADJECTIVE_TITLES) | {"candidate", "member", "members"}


def find_places_and_orgs(doc: ParsedDocument, gazetteer: Gazetteer,
                         people_spans: Optional[list[tuple[int, int]]] = None) -> tuple[list[EntityRecord], list[EntityRecord]]:
    """Gazetteer entities, then pattern entities that do not overlap the given people."""
    places, orgs, gaz_spans = _gazetteer_pass(doc, gazetteer)
    if people_spans is not None:
        _pattern_pass(doc, gazetteer, places, orgs, gaz_spans, people_spans)
        _acronym_groups(doc, gazetteer, orgs, people_spans)
        _committees_of_secretaries(doc, gazetteer, orgs, gaz_spans + people_spans)
        _dispatch_addresses(doc, gazetteer, orgs)
        _apposed_parents(doc, gazetteer, orgs)
    _merge_generic_into_specific(orgs)
    return list(places.records.values()), list(orgs.records.values())


def _merge_generic_into_specific(orgs: _Collector) -> None:
    """'the GDR Embassy' in a document that names the 'GDR Embassy in the DPRK' is that embassy."""
    records = list(orgs.records.values())
    for generic in records:
        if generic.gazetteer_id and len(generic.name.split()) > 1 and generic.name.split()[0][:1].isupper() \
                and generic.entity_type not in ("ministry", "party-body", "embassy", None, ""):
            continue  # a body in its own right ('Soviet Army' inside 'General Staff of the Soviet Army'), not a shorthand

        # built once per record, not for each form of each other record
        located = re.compile(re.escape(generic.name) + r"\s+(?:in|to|at)\s")
        suffix = " " + generic.name if len(generic.name.split()) >= 2 else None

        def names_it(r) -> bool:
            # 'GDR Embassy' -> 'GDR Embassy in the DPRK'; 'Foreign Ministry' -> 'Chinese Foreign Ministry'
            forms = [r.name, *r.forms]
            return any(located.match(f) or (suffix is not None and f.endswith(suffix)) for f in forms)

        specific = [r for r in records if r is not generic and names_it(r)]
        if len(specific) != 1:
            continue
        target = specific[0]
        for form in generic.forms:
            if form not in target.forms:
                target.forms.append(form)
        target.mentions.extend(generic.mentions)
        target.mentions.sort(key=lambda m: m.start)
        del orgs.records[generic.key]


def _regions(doc: ParsedDocument) -> list[Span]:
    return [s for s in (doc.title_span, doc.citation, doc.summary, doc.credits, doc.body) if s]


def _gazetteer_pass(doc: ParsedDocument, gazetteer: Gazetteer):
    text = doc.text
    places, orgs = _Collector("place", text), _Collector("organization", text)
    gaz_spans: list[tuple[int, int]] = []
    # characters inside the names found so far: a constant-time overlap test instead of a loop over gaz_spans
    taken = bytearray(len(text))
    for region in _regions(doc):
        for s, e, entry in gazetteer.find("organization", text, region.start, region.end):
            orgs.add("o:" + entry.slug, entry.name, s, e, "gazetteer", 0.95, entry)
            gaz_spans.append((s, e))
            taken[s:e] = b"\x01" * (e - s)
        for s, e, entry in gazetteer.find("place", text, region.start, region.end):
            if 1 in taken[s:e]:
                # inside an organization's name ("Carnegie Corporation of New York"), or across a name found before
                continue
            places.add("l:" + entry.slug, entry.name, s, e, "gazetteer", 0.95, entry)
            gaz_spans.append((s, e))
            taken[s:e] = b"\x01" * (e - s)
    # "[Bu]", "[Po]": the country tags of a list of participants
    for region in _regions(doc):
        for m in re.finditer(r"\[(%s)\]" % "|".join(COUNTRY_TAGS), text[region.start:region.end]):
            entry = gazetteer.get("place", COUNTRY_TAGS[m.group(1)])
            if entry is not None:
                s = region.start + m.start(1)
                places.add("l:" + entry.slug, entry.name, s, s + len(m.group(1)), "country-tag", 0.8, entry)
    # the funders are organizations too, whatever the gazetteer knows
    if doc.credits:
        for funder in doc.funders:
            idx = text.find(funder, doc.credits.start, doc.credits.end)
            if idx >= 0 and not any(a <= idx < b for a, b in gaz_spans):
                entry = gazetteer.lookup("organization", funder)
                key = "o:" + (entry.slug if entry else names.slugify(funder))
                orgs.add(key, entry.name if entry else funder, idx, idx + len(funder), "credits", 0.9, entry)
                gaz_spans.append((idx, idx + len(funder)))
    return places, orgs, gaz_spans


def _pattern_pass(doc, gazetteer, places, orgs, gaz_spans, people_spans) -> None:
    text = doc.text
    taken = gaz_spans + people_spans
    for region in _regions(doc):
        if region is doc.credits:
            continue
        words = [m for m in _WORD_RE.finditer(text, region.start, region.end)]
        for i, w in enumerate(words):
            word = w.group(0)
            if not word[0].isupper():
                continue  # most words: no head noun of a name is lowercase
            low = word.lower().rstrip(".")
            is_org = low in ORG_HEADS
            is_place = low in PLACE_HEADS
            if not (is_org or is_place):
                continue
            if any(a < w.end() and w.start() < b for a, b in people_spans):
                continue
            lo = _expand_left(text, words, i)
            hi = _expand_right(text, words, i) if is_org else i
            coord = _coordination(text, words, lo, i, gazetteer) if is_org else None
            if coord is not None:
                first, distributive = coord
                if distributive:
                    _add_conjuncts(text, words, first, lo, i, hi, gazetteer, orgs, taken, people_spans)
                    continue
                lo = first  # 'Communist and Workers Parties': one collective name
            # a gazetteer name inside the phrase is kept as its own mention; the phrase may contain it
            start, end = words[lo].start(), words[hi].end()
            start, end = _trim(text, start, end)
            if is_org and hi + 1 < len(words) and words[hi + 1].group(0).lower() in PLACE_HEADS:
                continue  # 'Pyongyang Government Building' is a building
            if any(a <= start and end <= b for a, b in taken) or any(a < end and start < b for a, b in people_spans):
                continue
            surface = text[start:end]
            n_words = len(surface.split())
            if n_words < 2:
                continue
            if is_place:
                if not any(a <= start and end <= b for a, b in gaz_spans):
                    places.add("l:" + names.slugify(surface), _display(surface, gazetteer), start, end, "building-pattern", 0.7)
                continue
            if all(x.lower() in ORG_HEADS | _CONNECTORS for x in surface.split()):
                continue
            entry = gazetteer.lookup("organization", surface)
            if entry is None:
                # 'GDR Embassy to DPRK', 'Soviet Embassy in the DPRK': a known embassy named with its host country
                head = re.match(r"(.+?\b(?:Embassy|EMBASSY|Consulate|Mission))\s+(?:in|to|IN|TO)\b", surface)
                entry = gazetteer.lookup("organization", head.group(1)) if head else None
            if entry is None and coord is None and _is_class_of_bodies(surface):
                continue
            name = entry.name if entry else _display(surface, gazetteer)
            key = "o:" + (entry.slug if entry else _pattern_key(surface, name, gazetteer))
            if any(m.start <= start and end <= m.end for r in orgs.records.values() for m in r.mentions):
                continue
            orgs.add(key, name, start, end, "org-pattern", 0.75, entry, form=_display(surface, gazetteer))
            # "Central Committee (CC)": the acronym in brackets names the same body
            am = re.match(r"[ \t]*\(([A-Z]{2,8})\)", text[end:end + 14])
            if am:
                orgs.add(key, name, end + am.start(1), end + am.end(1), "acronym", 0.8, entry)
    for region in _regions(doc):
        for m in _DEMONYM_ORG_RE.finditer(text, region.start, region.end):
            if any(a < m.end() and m.start() < b for a, b in taken) or any(
                    any(x.start < m.end() and m.start() < x.end for x in r.mentions) for r in orgs.records.values()):
                continue
            if m.group(2).lower() in ("embassy", "government", "delegation", "military specialists"):
                surface = m.group(0)
                name = surface[0].upper() + surface[1:]
                orgs.add("o:" + names.slugify(name), name, m.start(), m.end(), "demonym-pattern", 0.6)


def _add_conjuncts(text, words, first, lo, i, hi, gazetteer, orgs, taken, people_spans) -> None:
    """'the KPA 1st and 2nd Armies' -> 'KPA 1st Army' and 'KPA 2nd Army', each quoting the whole phrase."""
    plo = _expand_left(text, words, first)
    start, end = _trim(text, words[plo].start(), words[hi].end())
    if any(a <= start and end <= b for a, b in taken) or any(a < end and start < b for a, b in people_spans):
        return
    if any(m.start <= start and end <= m.end for r in orgs.records.values() for m in r.mentions):
        return
    prefix = [w.group(0) for w in words[plo:first]]
    rest = [w.group(0) for w in words[lo + 1:i]]
    tail = re.sub(r"\s+", " ", text[words[i].end():end])
    head = _singular(words[i].group(0))
    for modifier in (words[first].group(0), words[lo].group(0)):
        phrase = " ".join([*prefix, modifier, *rest, head]) + tail
        entry = gazetteer.lookup("organization", phrase)
        name = entry.name if entry else _display(phrase, gazetteer)
        orgs.add("o:" + (entry.slug if entry else names.slugify(name)), name, start, end, "coordination", 0.7,
                 entry, form=phrase)


def _pattern_key(surface: str, name: str, gazetteer: Gazetteer) -> str:
    """'Delegation of the North Korean Supreme People's Assembly' and 'Delegation of the Korean Supreme
    People's Assembly' are one body when their complements name the same known organization."""
    m = re.match(r"(.+?)\s+of\s+(?:the\s+)?(.+)$", surface, re.S)
    if m:
        complement = m.group(2).split()
        for k in range(len(complement)):
            entry = gazetteer.lookup("organization", " ".join(complement[k:]))
            if entry is not None:
                return names.slugify(m.group(1)) + "--of--" + entry.slug
    return names.slugify(name)


# 'Liaoning CPC Provincial First Secretary', 'Moscow City Party Second Secretary': a party secretary of a level
# is the secretary of that level's committee
_LEVEL_SECRETARY_RE = re.compile(
    r"\b((?:[A-Z][\w'’.-]*[ \t]+){1,3}?(?:Party[ \t]+)?(?:Provincial|Municipal|City|District|County|Regional|Oblast|Prefectural))"
    r"(?:[ \t]+Party)?[ \t]+(?:(?:First|Second|Third|Deputy)[ \t]+)?Secretary\b")


def _committees_of_secretaries(doc: ParsedDocument, gazetteer: Gazetteer, orgs: _Collector, taken) -> None:
    """'Liaoning CPC Provincial First Secretary Huang Daqing' names the Liaoning CPC Provincial Committee."""
    text = doc.text
    for region in _regions(doc):
        for m in _LEVEL_SECRETARY_RE.finditer(text, region.start, region.end):
            words = m.group(1).split()
            while words and (words[0].lower().rstrip(".") in PERSON_TITLES | STOPWORDS):
                words.pop(0)  # 'Comrade ...', 'The ...'
            if len(words) < 2:
                continue
            start = m.start(1) + m.group(1).index(words[0])
            end = m.end(1)
            if any(a < end and start < b and not (start <= a and b <= end) for a, b in taken):
                continue  # a person or a longer known name runs across it
            if any(r_m.start <= start and end <= r_m.end for r in orgs.records.values() for r_m in r.mentions
                   if r.gazetteer_id is None or r_m.end - r_m.start > end - start):
                continue
            phrase = " ".join(words) + " Committee"
            entry = gazetteer.lookup("organization", phrase)
            name = entry.name if entry else _display(phrase, gazetteer)
            orgs.add("o:" + (entry.slug if entry else names.slugify(name)), name, start, end, "secretary-of-committee",
                     0.65, entry, form=phrase)


# A dispatch's addresses: 'Telegram from the Polish Embassy in Washington', 'To: Foreign Ministry', 'To the Embassy in X:'
_DISPATCH_TITLE_RE = re.compile(r"^(?:Telegram|Cable|Ciphered Telegram|Letter|Airgram|Despatch|Dispatch|Note|Circular|"
                                r"Instruction|Message|Report)\b.*\bfrom\b", re.I)
_ADDRESS_LINE_RE = re.compile(r"^[ \t\[]*(?:(?:To|TO|From|FROM|Addressee|ADDRESSEE)[ \t]*:[^\n]*"
                              r"|(?:To|TO)[ \t]+[^\n:]{3,80}:[ \t]*$)", re.M)
_UNQUALIFIED_MISSION_RE = re.compile(r"(?:the\s+)?(?:Embassy|Consulate(?:\s+General)?|Legation)\s+(?:in|to)\s+(?:the\s+)?(\S.*)",
                                     re.I | re.S)
_UNQUALIFIED_MINISTRY_RE = re.compile(r"(?:the\s+)?(?:Foreign\s+Ministry|Ministry\s+(?:of|for)\s+Foreign\s+Affairs|MFA|"
                                      r"Foreign\s+Office)", re.I)


def _foreign_service(entry: Optional[Entry], gazetteer: Gazetteer) -> Optional[Entry]:
    """The foreign ministry an embassy belongs to, or the ministry itself when embassies belong to it."""
    if entry is None:
        return None
    if entry.type == "embassy" and entry.part_of:
        return gazetteer.get("organization", entry.part_of)
    if any(e.kind == "organization" and e.type == "embassy" and e.part_of == entry.slug for e in gazetteer.entries.values()):
        return entry
    return None


def _dispatch_addresses(doc: ParsedDocument, gazetteer: Gazetteer, orgs: _Collector) -> None:
    """Cables go between an embassy and its own foreign ministry: in a dispatch's title and its To:/From:
    lines, an unqualified 'Foreign Ministry' or 'Embassy in Hungary' belongs to the same foreign service as
    the known sender or addressee ('Cable from the Chinese Foreign Ministry' ... 'To the Embassy in Hungary:'
    is the Chinese Embassy in Hungary)."""
    text = doc.text
    zones: list[tuple[int, int]] = []
    if doc.title_span and _DISPATCH_TITLE_RE.match(doc.title_span.text.strip("* \n")):
        zones.append((doc.title_span.start, doc.title_span.end))
    if doc.body:
        zones += [(m.start(), m.end()) for m in _ADDRESS_LINE_RE.finditer(text, doc.body.start, doc.body.end)]
    if not zones:
        return

    def in_zone(m: Mention) -> bool:
        return any(a <= m.start and m.end <= b for a, b in zones)

    services = {}
    for record in orgs.records.values():
        if record.gazetteer_id and any(in_zone(m) for m in record.mentions):
            service = _foreign_service(gazetteer.get("organization", record.gazetteer_id), gazetteer)
            if service is not None:
                services[service.slug] = service
    if len(services) != 1:
        return
    (service,) = services.values()
    qualifier = re.match(r"(.+?)\s+(?:Ministry|Foreign|Department|Federal)\b", service.name)
    embassies = [e for e in gazetteer.entries.values()
                 if e.kind == "organization" and e.type == "embassy" and e.part_of == service.slug]
    for record in list(orgs.records.values()):
        if record.gazetteer_id == service.slug:
            continue
        for mention in [m for m in record.mentions if in_zone(m)]:
            quote = re.sub(r"\s+", " ", mention.text)
            entry, name = None, None
            if _UNQUALIFIED_MINISTRY_RE.fullmatch(quote):
                entry = service
            else:
                host = _UNQUALIFIED_MISSION_RE.fullmatch(quote)
                if host is None:
                    continue
                if record.gazetteer_id:
                    current = gazetteer.get("organization", record.gazetteer_id)
                    if current is not None and current.part_of == service.slug:
                        continue
                tail = fold(quote.split(None, 1)[1] if quote.lower().startswith("the ") else quote)
                entry = next((e for e in embassies if any(fold(f).endswith(" " + tail) for f in e.forms)), None)
                if entry is None and qualifier:
                    name = qualifier.group(1) + " " + re.sub(r"^(?:the|The)\s+", "", quote)
            if entry is None and name is None:
                continue
            key = "o:" + (entry.slug if entry else names.slugify(name))
            record.mentions.remove(mention)
            orgs.add(key, entry.name if entry else name, mention.start, mention.end, "dispatch-address",
                     min(mention.confidence, 0.7), entry, form=quote)
        if not record.mentions:
            del orgs.records[record.key]


def _apposed_parents(doc: ParsedDocument, gazetteer: Gazetteer, orgs: _Collector) -> None:
    """'Political Bureau, Central Committee, Workers' Party of Korea': a unit followed by a comma and its
    parent body is that parent's unit, when the gazetteer knows the composed name ('Central Committee of
    the Workers' Party of Korea'). Resolved right to left, so a chain of units resolves link by link."""
    text = doc.text
    for _ in range(3):
        known = {m.start: gazetteer.get("organization", r.gazetteer_id)
                 for r in orgs.records.values() if r.gazetteer_id for m in r.mentions}
        changed = False
        for record in list(orgs.records.values()):
            if record.gazetteer_id:
                continue
            for mention in sorted(record.mentions, key=lambda x: -x.start):
                sep = re.match(r",[ \t]+(?:the[ \t]+)?", text[mention.end:mention.end + 8])
                parent = known.get(mention.end + sep.end()) if sep else None
                if parent is None:
                    continue
                unit = re.sub(r"\s+", " ", re.sub(r"^(?:the|The)\s+", "", mention.text))
                entry = next((e for form in parent.forms
                              for e in (gazetteer.lookup("organization", f"{unit} of the {form}"),
                                        gazetteer.lookup("organization", f"{unit} of {form}"),
                                        gazetteer.lookup("organization", f"{form} {unit}")) if e is not None), None)
                if entry is None or entry.slug == parent.slug:
                    continue
                record.mentions.remove(mention)
                orgs.add("o:" + entry.slug, entry.name, mention.start, mention.end, "apposed-parent",
                         min(mention.confidence, 0.7), entry, form=unit)
                changed = True
            if not record.mentions:
                del orgs.records[record.key]
        if not changed:
            break


_ACRONYM_GROUP_RE = re.compile(r"\b([A-Z]{2,6})[ \t]+(delegation|leadership|embassy)\b")


def _acronym_groups(doc, gazetteer, orgs, taken) -> None:
    """'the KWP delegation': a known body's delegation, leadership or embassy is a group of its own."""
    text = doc.text
    for region in _regions(doc):
        for m in _ACRONYM_GROUP_RE.finditer(text, region.start, region.end):
            entry = gazetteer.lookup("organization", m.group(1)) or gazetteer.lookup("place", m.group(1))
            if entry is None or any(a < m.end() and m.start() < b and not (a <= m.start(1) and m.end(1) <= b)
                                    for a, b in taken):
                continue
            name = m.group(0)
            orgs.add("o:" + names.slugify(name), name, m.start(), m.end(), "acronym-group", 0.7)


_COMPASS = {"north", "south", "east", "west", "northern", "southern", "eastern", "western"}


def _compass_qualifier(text: str, words, k: int) -> bool:
    """'of the North Korean Supreme People's Assembly': a compass word opening a longer capitalized name."""
    return (words[k].group(0).lower() in _COMPASS and k + 1 < len(words)
            and _gap_ok(text, words[k].end(), words[k + 1].start()) and words[k + 1].group(0)[:1].isupper())


# plural heads whose singular is a head; 'Forces' and 'Archives' name single bodies ('Air Forces', 'National Archives')
_NOT_PLURAL = {"forces", "archives", "headquarters", "corps"}
_ORDINAL_RE = re.compile(r"(?:\d{1,2}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)$",
                         re.I)
# demonyms of a political or regional kind describe a class, not one country's bodies
_NON_NATIONAL = {"socialist", "communist", "imperialist", "capitalist", "fraternal", "western", "eastern",
                 "african", "asian", "european", "arab"}


def _singular(word: str) -> Optional[str]:
    """'Armies' -> 'Army', 'Committees' -> 'Committee'; None when the word is not a plural head."""
    low = word.lower()
    if low in _NOT_PLURAL or low not in ORG_HEADS:
        return None
    if low.endswith("ies") and low[:-3] + "y" in ORG_HEADS:
        return word[:-3] + ("Y" if word.isupper() else "y")
    if low.endswith("s") and low[:-1] in ORG_HEADS:
        return word[:-1]
    return None


def _distributive(word: str, gazetteer: Gazetteer) -> Optional[str]:
    """The kind of a modifier that names one body per conjunct: an ordinal or a country."""
    if _ORDINAL_RE.match(word):
        return "ordinal"
    low = word.lower()
    if low in DEMONYMS and low not in _NON_NATIONAL:
        return "country"
    entry = gazetteer.lookup("place", word)
    if word.isupper() and len(word) >= 2 and entry is not None and entry.type == "country":
        return "country"
    return None


def _coordination(text: str, words, lo: int, i: int, gazetteer: Gazetteer):
    """'the 1st and 2nd Armies', 'Communist and Workers Parties': two modifiers of one plural head.

    Returns (first, distributive): the index of the first conjunct, and whether each conjunct names
    its own body ('1st Army', '2nd Army'; 'Polish Embassy', 'Czechoslovak Embassy') rather than the
    phrase naming one collective ('Communist and Workers Parties'). None when there is no coordination.
    """
    if lo < 2 or lo >= i or _singular(words[i].group(0)) is None:
        return None
    conj, first = words[lo - 1].group(0), words[lo - 2].group(0)
    if conj != "and" or not _gap_ok(text, words[lo - 2].end(), words[lo - 1].start()) \
            or not _gap_ok(text, words[lo - 1].end(), words[lo].start()):
        return None
    second = words[lo].group(0)
    kind = _distributive(first, gazetteer)
    if kind is not None and kind == _distributive(second, gazetteer):
        return lo - 2, True
    if first[:1].isupper() and first.lower() not in STOPWORDS | ORG_HEADS and not first.endswith(("'s", "’s")) \
            and first.lower().rstrip(".") not in _STOP_LEFT:
        return lo - 2, False
    return None


def _is_class_of_bodies(surface: str) -> bool:
    """'Central Committees', 'three Cuban Embassies': a plural head names a class of bodies, not one body."""
    head_part = re.split(r"\s+(?:of|for|on|in|to|at)\s+", surface, maxsplit=1)[0].split()
    heads = [w for w in head_part if w.lower().rstrip(".") in ORG_HEADS]
    return bool(heads) and _singular(heads[-1]) is not None


_GAP_RE = re.compile(r"[ \t]+|[ \t]*\n[ \t]*")
_ORDINAL_RE = re.compile(r"\d{1,2}(?:st|nd|rd|th)")


def _gap_ok(text: str, a: int, b: int) -> bool:
    return bool(_GAP_RE.fullmatch(text[a:b])) and "\n\n" not in text[a:b]


def _expand_left(text: str, words, i: int) -> int:
    lo = i
    while lo > 0 and _gap_ok(text, words[lo - 1].end(), words[lo].start()):
        prev = words[lo - 1].group(0)
        low = prev.lower().rstrip(".")
        if _ORDINAL_RE.fullmatch(prev):
            lo -= 1
            continue
        if prev.endswith(("'s", "’s")):
            break  # "Indian Communist Party's 6th Congress": the possessor is another name
        if not prev[0].isupper() or low in _STOP_LEFT or low in STOPWORDS and low not in ORG_HEADS and low not in ("north", "south", "east", "west", "central"):
            break
        if low in _CONNECTORS:
            break
        lo -= 1
    return lo


def _expand_right(text: str, words, i: int) -> int:
    """'Directorate' + 'of the Civil Air Fleet'; 'Embassy' + 'in the DPRK'."""
    hi = i
    j = i + 1
    while j < len(words) and _gap_ok(text, words[j - 1].end(), words[j].start()):
        w = words[j].group(0)
        low = w.lower()
        head = words[hi].group(0).lower()
        if low in ("of", "for", "on") or (low in ("in", "to") and head in ("embassy", "consulate", "mission", "legation", "delegation")):
            k = j + 1
            if k < len(words) and words[k].group(0).lower() == "the":
                k += 1
            if k < len(words) and words[k].group(0)[0].isupper() and (
                    words[k].group(0).lower() not in STOPWORDS | {"party"} - ORG_HEADS or _compass_qualifier(text, words, k)):
                hi = k
                j = k + 1
                while j < len(words) and _gap_ok(text, words[j - 1].end(), words[j].start()) and words[j].group(0)[0].isupper() \
                        and words[j].group(0).lower().rstrip(".") not in PERSON_TITLES - _ADJECTIVE_TITLES:
                    hi = j
                    j += 1
                continue
            break
        if w[0].isupper() and low.rstrip(".") in ORG_HEADS:
            hi = j
            j += 1
            continue
        break
    return hi


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while end > start and text[end - 1] in ".,’'":
        end -= 1
    return start, end


def blocked_spans(records: list[EntityRecord]) -> list[tuple[int, int]]:
    return [(m.start, m.end) for r in records for m in r.mentions]
