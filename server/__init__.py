"""The Flask app: SPARQL endpoint, Graph Store Protocol and linked-data pages over the Oxigraph store.

``create_app`` is the app factory; each concern is a blueprint (``sparql``,
``graph_store``). For production run it under gunicorn with one process and
threads (the query pool gives the parallelism)::

    gunicorn -w 1 --threads 16 'server:create_app(store_path="kg-store", timeout=30)'
"""
from __future__ import annotations

import atexit
import os

from flask import Flask, Response, render_template, request

from kg.store import StoreDir

from .pool import DEFAULT_QUERIES_AT_ONCE

DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_QUERY = 1_000_000
DEFAULT_CACHE_MB = 64  # query results kept until the graph changes (0: none)


def create_app(store_path: str | None = None, *, timeout: float | None = None, workers: int | None = None,
               write_token: str | None = None, max_query_length: int | None = None, store_url: str | None = None,
               query_endpoint: str | None = None, cache_mb: float | None = None, **config) -> Flask:
    app = Flask(__name__)
    store_path = store_path or os.environ.get("KG_STORE", "kg-store")
    app.config.update(
        STORE_PATH=store_path,
        TIMEOUT=float(timeout if timeout is not None else os.environ.get("KG_TIMEOUT", DEFAULT_TIMEOUT)),
        WORKERS=int(workers if workers is not None else os.environ.get("KG_WORKERS", DEFAULT_QUERIES_AT_ONCE)),
        WRITE_TOKEN=write_token if write_token is not None else os.environ.get("KG_WRITE_TOKEN") or None,
        CACHE_MB=float(cache_mb if cache_mb is not None else os.environ.get("KG_CACHE_MB", DEFAULT_CACHE_MB)),
        MAX_QUERY_LENGTH=int(max_query_length if max_query_length is not None
                             else os.environ.get("KG_MAX_QUERY_LENGTH", DEFAULT_MAX_QUERY)),
        **config,
    )
    if os.environ.get("KG_BEHIND_PROXY") or config.get("BEHIND_PROXY"):
        # trust one reverse proxy's X-Forwarded-Proto/Host, so the URLs we print are the public ones
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    # request bodies: a query or update is limited; Graph Store uploads may be bigger
    app.config.setdefault("MAX_CONTENT_LENGTH", 64 * 1024 * 1024)
    store = StoreDir(store_path)
    if not store.exists():
        raise RuntimeError(f"{store_path}: no graph built here yet (run 'kg build PATH --store {store_path}')")

    from .state import AppState

    store_url = store_url or os.environ.get("KG_STORE_URL")
    remote = None
    if store_url:
        from kg.remote import RemoteStore

        remote = RemoteStore(store_url, query_url=query_endpoint or os.environ.get("KG_QUERY_ENDPOINT"))
        app.config["WRITE_TOKEN"] = None  # writes go to the remote store itself
    app_state = AppState(store, app.config["WORKERS"], app.config["TIMEOUT"], remote=remote,
                         cache_bytes=int(app.config["CACHE_MB"] * 1024 * 1024))
    app.extensions["kg_state"] = app_state
    app.extensions["kg_store"] = store
    atexit.register(app_state.pool.close)

    from .explorer import bp as explorer_bp
    from .graph_store import bp as graph_store_bp
    from .linked_data import bp as linked_data_bp
    from .reconcile import bp as reconcile_bp
    from .sparql import bp as sparql_bp

    app.register_blueprint(sparql_bp)
    app.register_blueprint(graph_store_bp)
    app.register_blueprint(linked_data_bp)
    app.register_blueprint(explorer_bp)
    app.register_blueprint(reconcile_bp)

    @app.errorhandler(413)
    def _too_large(_error):
        return Response("Request body too large\n", status=413, mimetype="text/plain")

    from werkzeug.exceptions import HTTPException

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        # a page for people, plain text for everyone else; never a stack trace
        if request.accept_mimetypes.best == "text/html" or "text/html" in request.accept_mimetypes.values():
            return render_template("error.html", code=error.code, title=error.name, message=error.description), error.code
        return Response(f"{error.code} {error.name}: {error.description}\n", status=error.code, mimetype="text/plain")

    return app
