"""Evidence files: the types accepted (by extension; the bytes are checked where they are stored)."""
from __future__ import annotations

EXTENSIONS = {"pdf": "pdf", "jpg": "jpg", "jpeg": "jpg", "png": "png", "docx": "docx", "xlsx": "xlsx"}


ACCEPT = ".pdf,.jpg,.jpeg,.png,.docx,.xlsx"
