"""Administration: data status, term withdrawal, the audit log and the roster export (issue 15)."""
