"""The Flask app: SPARQL endpoint and linked-data pages over the Oxigraph store."""
from __future__ import annotations

from flask import Flask

from kg.store import StoreDir


def create_app(store_path: str = "kg-store", **config) -> Flask:
    app = Flask(__name__)
    app.config.update(STORE_PATH=store_path, **config)
    app.extensions["kg_store"] = StoreDir(store_path)

    from .sparql import bp as sparql_bp

    app.register_blueprint(sparql_bp)
    return app
