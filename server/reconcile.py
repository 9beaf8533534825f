"""W3C Entity Reconciliation API (placeholder; being written)."""
from flask import Blueprint

bp = Blueprint("reconcile", __name__)
