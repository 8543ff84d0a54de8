"""Issuing official documents from the web and the CLI: number them in the register (data_access.documents),
build the .docx and .pdf with that number, store both, and send the stored bytes — so a document downloads
again exactly as it was issued. Also the register's own downloads (/documents/<id>.docx|.pdf)."""
from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from flask import Flask, Response, abort
from flask_login import current_user

from data_access import audit
from data_access.documents.register import ENTITY, issued_file
from documents.pdf import PdfFontMissing
from web.context import current_scope, db, transaction

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MIMETYPE = "application/pdf"
MIMETYPES = {"docx": DOCX_MIMETYPE, "pdf": PDF_MIMETYPE}


def both(make_docx: Callable[[str], bytes],
         make_pdf: Callable[[str], bytes]) -> Callable[[str], tuple[bytes, bytes | None]]:
    """A builder for `issue`: the .docx, and the .pdf unless the server has no CJK font (then None; the
    register still holds the .docx and says the PDF is missing)."""
    def build(number: str) -> tuple[bytes, bytes | None]:
        try:
            pdf = make_pdf(number)
        except PdfFontMissing:
            pdf = None
        return make_docx(number), pdf
    return build


def file_response(body: bytes, fmt: str, ascii_name: str, name: str) -> Response:
    """An attachment response for a document's bytes."""
    response = Response(body, mimetype=MIMETYPES[fmt])
    response.headers["Content-Disposition"] = (f"attachment; filename={ascii_name}.{fmt}; "
                                               f"filename*=UTF-8''{quote(name)}.{fmt}")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def download_issued(doc_id: int, fmt: str) -> Response:
    """An issued document, byte for byte as issued, for readers whose area covers it (403 otherwise)."""
    if not current_user.is_authenticated:
        abort(401)
    if fmt not in MIMETYPES:
        abort(404)
    found = issued_file(db(), current_scope(), doc_id, fmt)
    if found is None:
        abort(403)
    doc, body = found
    with transaction() as s:
        audit.record(s, "download", ENTITY, str(doc_id), after={"file": fmt, "number": doc.number},
                     area=doc.area_code)
    return file_response(body, fmt, f"document-{doc_id}", f"{doc.title}-{doc.number}")


def register_issued_routes(server: Flask) -> None:
    """/documents/<id>.docx and .pdf (behind the login guard; scoped by area)."""
    server.add_url_rule("/documents/<int:doc_id>.<fmt>", "issued_document", download_issued)
