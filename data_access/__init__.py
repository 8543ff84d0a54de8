"""Database access: engine and sessions, models, scoped queries, imports, exports, demo data."""
