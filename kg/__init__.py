"""archive-kg: archival documents -> a linked-data knowledge graph.

Pipeline: parse -> extract -> resolve -> map (``mappings/``) -> load -> serve (``server/``).
"""
__version__ = "0.1.0"
