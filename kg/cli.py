"""The ``kg`` command."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from . import __version__
from .uris import DEFAULT_BASE

STORE_OPTION = click.option("--store", "store_path", default="kg-store", show_default=True,
                            type=click.Path(file_okay=False), help="Folder of the on-disk graph.")


@click.group()
@click.version_option(__version__, prog_name="archive-kg")
def main() -> None:
    """archive-kg: archival documents -> a linked-data knowledge graph."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@STORE_OPTION
@click.option("--base-uri", default=None, help=f"Base of every minted URI [default: {DEFAULT_BASE}, or the store's].")
@click.option("--gazetteer", "gazetteer_dirs", multiple=True, type=click.Path(file_okay=False, exists=True),
              help="Extra gazetteer folder (places.tsv, organizations.tsv, people.tsv); repeatable.")
@click.option("-j", "--jobs", type=int, default=None, help="Processes for extraction and mapping [default: one per core].")
@click.option("--store-url", default=None, help="Write the graph to this SPARQL 1.1 store instead (its Graph Store "
              "endpoint is URL/store unless --graph-store-endpoint says otherwise); --store keeps the cache and search index.")
@click.option("--query-endpoint", default=None, help="The remote store's SPARQL query endpoint [default: URL/query].")
@click.option("--graph-store-endpoint", default=None, help="The remote store's Graph Store endpoint [default: URL/store].")
@click.option("--full", is_flag=True, help="Write the whole graph anew, even when only a few documents changed.")
@click.option("--checksum", is_flag=True, help="Judge every file by its content, not by its size and modification time "
              "(as rsync --checksum: for files copied with their times kept).")
@click.option("-q", "--quiet", is_flag=True, help="Only the summary.")
def build(paths, store_path, base_uri, gazetteer_dirs, jobs, store_url, query_endpoint, graph_store_endpoint, full, checksum,
          quiet) -> None:
    """Build the graph from every .txt file under PATHS."""
    from .build import build as run_build
    from .gazetteer import GazetteerError
    from .store import StoreError

    if gazetteer_dirs:
        os.environ["KG_GAZETTEER"] = os.pathsep.join([*filter(None, [os.environ.get("KG_GAZETTEER")]), *gazetteer_dirs])
    if base_uri:
        from .uris import iri_problem

        if problem := iri_problem(base_uri):  # before the store remembers it
            raise click.ClickException(f"--base-uri {base_uri!r} is not an IRI: {problem}")
    base_uri = _remember_base(Path(store_path), base_uri)
    try:
        remote = None
        if store_url:
            from .remote import RemoteStore

            remote = RemoteStore(store_url, query_url=query_endpoint, graph_store_url=graph_store_endpoint)
        report = run_build(paths, store_path, base_uri, progress=None if quiet else lambda m: click.echo(m, err=True),
                           jobs=jobs, remote=remote, incremental=not full,
                           checksum=checksum)
    except (FileNotFoundError, StoreError, GazetteerError) as exc:  # each names the file and what is wrong
        raise click.ClickException(str(exc)) from None
    except Exception as exc:  # a remote store that fails: say which and why, the local cache is intact
        from .remote import RemoteError

        if isinstance(exc, RemoteError):
            raise click.ClickException(f"remote store: {exc}") from None
        raise
    for problem in report.warnings:
        if not quiet:
            click.echo(f"warning: {problem}", err=True)
    for problem in report.skipped:
        click.echo(f"error: {problem}", err=True)
    click.echo(f"built {len(report.built)} document(s), {len(report.unchanged)} unchanged, {len(report.removed)} removed, "
               f"skipped {len(report.skipped)}; "
               f"{report.documents_in_store} document(s) and {report.quads} quads in {store_path} "
               f"(base {base_uri})")
    if report.incremental is not None and not quiet:
        click.echo(f"updated in place: {report.incremental} document graph(s) replaced, the rest kept", err=True)
    if not report.ok:
        sys.exit(1)


def _remember_base(store: Path, base_uri):
    """A store keeps the base it was built with, so later builds mint the same URIs."""
    marker = store / "base-uri"
    if base_uri:
        store.mkdir(parents=True, exist_ok=True)
        marker.write_text(base_uri)
        return base_uri
    return marker.read_text().strip() if marker.exists() else DEFAULT_BASE


@main.command()
@click.argument("sparql")
@STORE_OPTION
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "tsv"]), default="table", show_default=True)
def query(sparql, store_path, fmt) -> None:
    """Run a SPARQL query; without GRAPH it sees the union of all graphs."""
    from .query import QueryError, run_query

    try:
        click.echo(run_query(store_path, sparql, fmt), nl=False)
    except QueryError as exc:
        raise click.ClickException(str(exc)) from None


@main.command()
@STORE_OPTION
@click.option("--format", "fmt", type=click.Choice(["nquads", "trig", "turtle"]), default="nquads", show_default=True)
@click.option("-o", "--output", type=click.Path(), default=None, help="File to write (default: stdout); a folder with --shards.")
@click.option("--shards", type=int, default=0, help="Write N gzipped N-Quads files (whole named graphs each) into the "
              "folder -o, for the parallel bulk loaders of large stores.")
def export(store_path, fmt, output, shards) -> None:
    """Write the whole graph; N-Quads and TriG keep the named graphs."""
    from .query import export_graph, export_shards
    from .store import StoreError

    try:
        if shards:
            if fmt != "nquads" or not output:
                raise click.ClickException("--shards writes N-Quads into the folder given with -o")
            for path, count in export_shards(store_path, Path(output), shards):
                click.echo(f"{path}: {count} quads", err=True)
        elif output:
            with open(output, "wb") as f:
                export_graph(store_path, fmt, f)
        else:
            export_graph(store_path, fmt, sys.stdout.buffer)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None


@main.command("extract")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Every record as JSON.")
def extract_cmd(file, as_json) -> None:
    """Show what is parsed and extracted from one document."""
    from .build import extract_file
    from .parse import ParseError
    from .report import describe

    try:
        ed = extract_file(Path(file))
    except ParseError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        data = ed.to_json()
        data["doc"].pop("text")
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(describe(ed))


@main.command()
@STORE_OPTION
def validate(store_path) -> None:
    """SHACL-validate the graph against ontology/shapes.ttl."""
    from .store import StoreError
    from .validate import validate_store

    try:
        conforms, text = validate_store(store_path)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(text)
    if not conforms:
        sys.exit(1)


@main.command("eval")
@click.argument("docs", type=click.Path(exists=True, file_okay=False))
@click.option("--gold", required=True, type=click.Path(exists=True, file_okay=False), help="Folder of gold JSON files.")
@click.option("--verbose", is_flag=True, help="Per document: every miss and every extra.")
@click.option("--json", "as_json", is_flag=True, help="The scores as JSON.")
def eval_cmd(docs, gold, verbose, as_json) -> None:
    """Build DOCS in a temporary store and score the graph against gold files."""
    from .evaluate import evaluate, format_report

    result = evaluate(Path(docs), Path(gold))
    click.echo(json.dumps(result, indent=2) if as_json else format_report(result, verbose))


@main.command()
@STORE_OPTION
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--timeout", default=30.0, show_default=True, type=float, help="Seconds a query may run before it is cancelled.")
@click.option("--workers", default=None, type=int,
              help="Queries run at once, as threads of the one query process (default: 8, or KG_WORKERS).")
@click.option("--cache-mb", default=None, type=float,
              help="Memory for query results, reused until the graph changes [default: 64; 0 turns it off].")
@click.option("--write-token", envvar="KG_WRITE_TOKEN", default=None,
              help="Enables SPARQL Update and Graph Store writes for clients sending 'Authorization: Bearer TOKEN' "
                   "[env: KG_WRITE_TOKEN]. Without it the server is read-only.")
@click.option("--max-query-length", default=1_000_000, show_default=True, type=int, help="Longest query accepted, in characters.")
@click.option("--store-url", default=None, help="Serve a graph kept in this remote SPARQL store (built with kg build --store-url); "
              "the endpoint proxies to it.")
@click.option("--query-endpoint", default=None, help="The remote store's SPARQL query endpoint [default: URL/query].")
def serve(store_path, host, port, timeout, workers, cache_mb, write_token, max_query_length, store_url,
          query_endpoint) -> None:
    """Serve the graph: SPARQL endpoint, Graph Store Protocol, linked-data pages."""
    from server import create_app

    try:
        app = create_app(store_path, timeout=timeout, workers=workers, write_token=write_token,
                         max_query_length=max_query_length, store_url=store_url, query_endpoint=query_endpoint,
                         cache_mb=cache_mb)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None
    mode = "read-write (token required)" if write_token else "read-only"
    click.echo(f"serving {store_path} on http://{host}:{port}/ (SPARQL at /sparql, {mode}, timeout {timeout:g} s)", err=True)
    app.run(host=host, port=port, threaded=True)


if __name__ == "__main__":
    main()
