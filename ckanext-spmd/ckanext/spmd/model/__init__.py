"""SQLAlchemy models of ckanext-spmd."""
from .search import search_doc_table, search_stored_table

__all__ = ["search_doc_table", "search_stored_table"]
