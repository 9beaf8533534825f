"""Writes need the configured token: 'Authorization: Bearer <token>'. No token configured: no writes."""
from __future__ import annotations

import hmac
from functools import wraps

from flask import Response, current_app, request


def write_allowed() -> bool:
    return bool(current_app.config.get("WRITE_TOKEN"))


def require_token(view):
    @wraps(view)
    def guarded(*args, **kwargs):
        token = current_app.config.get("WRITE_TOKEN")
        if not token:
            return Response("This endpoint is read-only: writes are disabled (no write token is configured).\n",
                            status=403, mimetype="text/plain")
        header = request.headers.get("Authorization", "")
        if not header:
            return Response("Writes need 'Authorization: Bearer <token>'.\n", status=401, mimetype="text/plain",
                            headers={"WWW-Authenticate": 'Bearer realm="archive-kg"'})
        scheme, _, given = header.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
            return Response("The write token is not valid.\n", status=403, mimetype="text/plain")
        return view(*args, **kwargs)

    return guarded
