"""Table schemas: the single source of truth (see schemas/tables.py)."""
from schemas.tables import CORPUS_TABLES, DOC_TABLES, TABLES, columns, describe, empty_table, schema, to_table

__all__ = ["TABLES", "DOC_TABLES", "CORPUS_TABLES", "columns", "schema", "empty_table", "to_table", "describe"]
