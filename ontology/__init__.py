"""The archive-kg ontology, SHACL shapes and SKOS schemes, as package data."""
from pathlib import Path

DIR = Path(__file__).parent


def path(name: str) -> Path:
    return DIR / name
