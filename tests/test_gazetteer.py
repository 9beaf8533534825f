"""kg.gazetteer: TSV files of places, organizations and people with their variants."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from kg import gazetteer as gz
from kg.gazetteer import Gazetteer, GazetteerError, fold, load_gazetteer, read_tsv

PLACES = """\
# invented places for the tests

slug\tname\taliases\ttype\tpart_of
# a comment between rows
korea\tKorea\tKorean Peninsula\tregion\t
north-korea\tNorth Korea\tDPRK|the D.P.R.K.|Democratic People's Republic of Korea\tcountry\tkorea
ostrovia\tOstrovia\tOstrovian Republic\tcountry\t
novy-brod\tNovy Brod\tNovi Brod\tcity\tostrovia
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def places(tmp_path) -> Gazetteer:
    path = write(tmp_path / "base", "places.tsv", PLACES)
    return Gazetteer(read_tsv(path, "place"))


@pytest.fixture
def isolated(tmp_path, monkeypatch) -> Path:
    """The bundled folder replaced by an invented one; no KG_GAZETTEER folders."""
    base = tmp_path / "bundled"
    write(base, "places.tsv", PLACES)
    monkeypatch.setattr(gz, "DATA_DIR", base)
    monkeypatch.delenv("KG_GAZETTEER", raising=False)
    return base


# --- reading -----------------------------------------------------------------

def test_read_tsv_skips_comments_blank_lines_and_header(tmp_path):
    path = write(tmp_path, "places.tsv", PLACES)
    entries = list(read_tsv(path, "place"))
    assert [e.slug for e in entries] == ["korea", "north-korea", "ostrovia", "novy-brod"]


def test_read_tsv_fields(tmp_path):
    path = write(tmp_path, "places.tsv", PLACES)
    entry = {e.slug: e for e in read_tsv(path, "place")}["north-korea"]
    assert entry.kind == "place"
    assert entry.name == "North Korea"
    assert entry.aliases == ["DPRK", "the D.P.R.K.", "Democratic People's Republic of Korea"]
    assert entry.type == "country"
    assert entry.part_of == "korea"
    assert entry.forms == ["North Korea", "DPRK", "the D.P.R.K.", "Democratic People's Republic of Korea"]


def test_read_tsv_keeps_extra_columns(tmp_path):
    path = write(tmp_path, "people.tsv", "slug\tname\taliases\ttype\tpart_of\tborn\n"
                                         "ivo-marek\tIvo Marek\tI. Marek\t\t\t1911\n")
    (entry,) = read_tsv(path, "person")
    assert entry.extra == {"born": "1911"}


def test_read_tsv_empty_aliases(tmp_path):
    path = write(tmp_path, "places.tsv", "slug\tname\naltgrad\tAltgrad\n")
    (entry,) = read_tsv(path, "place")
    assert entry.aliases == [] and entry.type == ""


def test_malformed_header_raises_naming_file_and_line(tmp_path):
    path = write(tmp_path, "places.tsv", "# comment\nname\tslug\taliases\nOstrovia\tostrovia\t\n")
    with pytest.raises(GazetteerError) as info:
        list(read_tsv(path, "place"))
    assert f"{path}:2" in str(info.value)
    assert "header" in str(info.value)


def test_row_without_name_raises_naming_file_and_line(tmp_path):
    path = write(tmp_path, "places.tsv", "slug\tname\taliases\nostrovia\t\tOstrovian Republic\n")
    with pytest.raises(GazetteerError) as info:
        list(read_tsv(path, "place"))
    assert f"{path}:2" in str(info.value)


def test_load_gazetteer_reports_malformed_user_file(isolated, tmp_path):
    user = tmp_path / "user"
    bad = write(user, "organizations.tsv", "slug name\n")
    with pytest.raises(GazetteerError, match=str(bad)):
        load_gazetteer([user])


def test_load_gazetteer_missing_folder_raises(isolated, tmp_path):
    with pytest.raises(GazetteerError, match="does not exist"):
        load_gazetteer([tmp_path / "nowhere"])


# --- lookup ------------------------------------------------------------------

def test_lookup_exact_name_and_alias(places):
    assert places.lookup("place", "North Korea").slug == "north-korea"
    assert places.lookup("place", "DPRK").slug == "north-korea"


def test_lookup_folds_case(places):
    assert places.lookup("place", "north korea").slug == "north-korea"
    assert places.lookup("place", "dprk").slug == "north-korea"


def test_lookup_folds_leading_the(places):
    assert places.lookup("place", "the DPRK").slug == "north-korea"
    assert places.lookup("place", "The Ostrovian Republic").slug == "ostrovia"


def test_lookup_folds_dots(places):
    assert places.lookup("place", "D.P.R.K.").slug == "north-korea"
    assert places.lookup("place", "the D.P.R.K").slug == "north-korea"


def test_lookup_unknown_is_none(places):
    assert places.lookup("place", "Atlantis") is None


def test_lookup_is_per_kind(places):
    assert places.lookup("organization", "DPRK") is None


def test_lookup_place_shortcut(places):
    assert places.lookup_place("Novi Brod").slug == "novy-brod"


def test_get_by_slug(places):
    assert places.get("place", "ostrovia").name == "Ostrovia"
    assert places.get("place", "atlantis") is None


def test_fold():
    assert fold("The  D.P.R.K.") == "d p r k"
    assert fold("North   Korea") == fold("north korea")
    assert fold("People’s Army") == fold("People's Army")


# --- find --------------------------------------------------------------------

def found(g: Gazetteer, text: str) -> list[tuple[str, str]]:
    return [(text[s:e], entry.slug) for s, e, entry in g.find("place", text)]


def test_find_longest_match_wins(places):
    assert found(places, "He flew to North Korea.") == [("North Korea", "north-korea")]


def test_find_shorter_form_alone(places):
    assert found(places, "Troops left Korea in 1958.") == [("Korea", "korea")]


def test_find_respects_word_boundaries(places):
    assert found(places, "The Koreans and the Ostrovians met.") == []


def test_find_does_not_match_inside_hyphenated_words(places):
    assert found(places, "a pro-Korea-minded group") == []


def test_find_several_in_order_with_offsets(places):
    text = "From Novy Brod (Ostrovia) to the DPRK and Korea."
    assert found(places, text) == [("Novy Brod", "novy-brod"), ("Ostrovia", "ostrovia"),
                                   ("DPRK", "north-korea"), ("Korea", "korea")]


def test_find_within_a_range(places):
    text = "Korea, then Ostrovia."
    hits = list(places.find("place", text, start=6))
    assert [(text[s:e], en.slug) for s, e, en in hits] == [("Ostrovia", "ostrovia")]


# --- user folders ------------------------------------------------------------

def test_user_folder_extends_aliases(isolated, tmp_path):
    user = tmp_path / "user"
    write(user, "places.tsv", "slug\tname\taliases\ttype\tpart_of\n"
                              "ostrovia\tOstrovia\tOstrovian People's Republic|OPR\tcountry\t\n")
    g = load_gazetteer([user])
    entry = g.get("place", "ostrovia")
    assert "Ostrovian Republic" in entry.aliases
    assert "OPR" in entry.aliases and "Ostrovian People's Republic" in entry.aliases
    assert g.lookup("place", "OPR").slug == "ostrovia"
    assert g.lookup("place", "Ostrovian Republic").slug == "ostrovia"


def test_user_folder_adds_new_entries(isolated, tmp_path):
    user = tmp_path / "user"
    write(user, "places.tsv", "slug\tname\taliases\ttype\tpart_of\n"
                              "port-kessel\tPort Kessel\tKessel Harbour\tcity\tostrovia\n")
    write(user, "people.tsv", "slug\tname\taliases\n"
                              "ivo-marek\tIvo Marek\tI. Marek|Marek\n")
    g = load_gazetteer([user])
    assert g.lookup("place", "Kessel Harbour").slug == "port-kessel"
    assert g.lookup("person", "I. Marek").slug == "ivo-marek"
    assert g.get("place", "north-korea") is not None


def test_without_user_folder_new_entries_are_absent(isolated):
    g = load_gazetteer()
    assert g.lookup("place", "Kessel Harbour") is None
    assert g.lookup("place", "DPRK").slug == "north-korea"


def test_user_entries_found_in_text(isolated, tmp_path):
    user = tmp_path / "user"
    write(user, "places.tsv", "slug\tname\naltgrad\tAltgrad\n")
    g = load_gazetteer([user])
    assert found(g, "Trains from Altgrad and Novy Brod.") == [("Altgrad", "altgrad"), ("Novy Brod", "novy-brod")]


def test_env_variable_adds_folders(isolated, tmp_path, monkeypatch):
    user = tmp_path / "from-env"
    write(user, "places.tsv", "slug\tname\naltgrad\tAltgrad\n")
    monkeypatch.setenv("KG_GAZETTEER", str(user))
    assert load_gazetteer().lookup("place", "Altgrad").slug == "altgrad"


# --- the bundled gazetteer ---------------------------------------------------
# kg/data/gazetteer/*.tsv: every kind's file is optional, but at least one must be there.

def _bundled_files() -> list[tuple[str, Path]]:
    folder = Path(gz.__file__).parent / "data" / "gazetteer"
    files = [(kind, folder / name) for kind, name in gz.FILES.items() if (folder / name).exists()]
    assert files, f"no bundled gazetteer file in {folder}"
    return files


def _rows(path: Path):
    return gz.tsv_rows(path, ["slug", "name"])


def test_bundled_files_have_the_slug_name_header():
    for _, path in _bundled_files():
        first = next(line for line in path.read_text(encoding="utf-8").splitlines()
                     if line.strip() and not line.lstrip().startswith("#"))
        assert first.split("\t")[:2] == ["slug", "name"], path.name


def test_bundled_rows_have_slug_and_name():
    bad = [f"{path.name}:{n}" for _, path in _bundled_files()
           for n, row in _rows(path) if not row.get("slug") or not row.get("name")]
    assert bad == []


def test_bundled_slugs_are_unique_per_file():
    duplicates = []
    for _, path in _bundled_files():
        seen: dict[str, int] = {}
        for number, row in _rows(path):
            slug = row.get("slug", "")
            if slug in seen:
                duplicates.append(f"{path.name}: {slug} (lines {seen[slug]} and {number})")
            seen.setdefault(slug, number)
    assert duplicates == []


def test_bundled_alias_points_to_one_slug_per_kind():
    """No form (name or alias, folded as lookup folds it) may stand for two entries of one kind."""
    clashes = {}
    for kind, path in _bundled_files():
        owners: dict[str, set[str]] = defaultdict(set)
        for entry in read_tsv(path, kind):
            for form in entry.forms:
                owners[fold(form)].add(entry.slug)
        clashes.update({f"{kind}: {form}": sorted(slugs) for form, slugs in owners.items() if len(slugs) > 1})
    assert clashes == {}


def test_bundled_gazetteer_loads(monkeypatch):
    monkeypatch.delenv("KG_GAZETTEER", raising=False)
    g = load_gazetteer()
    assert {kind for kind, _ in g.entries} == {kind for kind, _ in _bundled_files()}


# --- curated links to outside authorities -------------------------------------------

def test_authority_links_need_a_source(tmp_path):
    from kg.gazetteer import GazetteerError, read_authorities

    good = tmp_path / "good.tsv"
    good.write_text("kind\tslug\trelation\turi\tsource\n"
                    "person\tivan-example\tsameAs\thttps://www.wikidata.org/entity/Q1\tchecked by hand, 2026\n")
    (link,) = read_authorities(good)
    assert (link.kind, link.slug, link.relation) == ("person", "ivan-example", "sameAs")
    bad = tmp_path / "bad.tsv"
    bad.write_text("kind\tslug\trelation\turi\tsource\nperson\tivan-example\tsameAs\thttps://x.org/1\t\n")
    with pytest.raises(GazetteerError, match=r"bad.tsv:2: .*source"):
        read_authorities(bad)


def test_an_authority_link_that_is_not_an_iri_is_refused_with_its_line(tmp_path):
    from kg.gazetteer import GazetteerError, read_authorities

    bad = tmp_path / "bad.tsv"
    bad.write_text("kind\tslug\trelation\turi\tsource\n"
                   "person\tivan-example\tsameAs\thttps://www.wikidata.org/entity/Q%zz\tchecked by hand\n")
    with pytest.raises(GazetteerError, match=r"bad.tsv:2: uri .*Q%zz.* is not an IRI"):
        read_authorities(bad)


def test_authority_links_reach_the_graph_and_nothing_else_does(tmp_path, monkeypatch):
    from kg.build import build
    from kg.store import StoreDir
    from conftest import EXAMPLES

    extra = tmp_path / "gaz"
    extra.mkdir()
    (extra / "authorities.tsv").write_text(
        "kind\tslug\trelation\turi\tsource\n"
        "person\tnam-il\tcloseMatch\thttps://authority.example.org/nam-il\ttest fixture\n")
    monkeypatch.setenv("KG_GAZETTEER", str(extra))
    build([EXAMPLES], tmp_path / "store")
    store = StoreDir(tmp_path / "store").open()
    rows = list(store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(?p IN (<http://www.w3.org/2002/07/owl#sameAs>, "
                            "<http://www.w3.org/2004/02/skos/core#closeMatch>)) }", use_default_graph_as_union=True))
    assert [(r["s"].value, r["o"].value) for r in rows] == [
        ("http://localhost:5000/id/person/nam-il", "https://authority.example.org/nam-il")]
