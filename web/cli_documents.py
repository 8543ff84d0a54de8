"""`flask --app app set-document-settings` and `flask --app app documents`: the county's (or a township's)
document settings — issuer, 发文字号 abbreviation, 主送, 抄送, contact, provincial regulation, co-issuer,
page-number placement, red header — and the register of issued documents."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask, current_app

from data_access import audit
from data_access.documents.register import (SETTING_FIELDS, SettingsInvalid, issued_file, issued_documents,
                                            issuer_settings, save_settings)
from data_access.scope import Scope
from web.cli_output import emit_rows

OPTION_FIELDS = {  # option → settings field
    "issuer": "issuer", "abbreviation": "abbreviation", "recipients": "recipients", "cc": "cc",
    "contact_person": "contact_person", "contact_phone": "contact_phone", "regulation": "regulation",
    "education_bureau": "education_bureau", "page_numbers": "page_numbers", "red_header": "red_header",
}


def register_documents_cli(server: Flask) -> None:
    """Add the document commands to the server's CLI."""

    @server.cli.command("set-document-settings")
    @click.option("--area", required=True, help="12-digit area code: the county, or a township for its notices")
    @click.option("--issuer", default=None, help="发文机关署名, e.g. 勐海县教育督导室")
    @click.option("--abbreviation", default=None, help="发文字号 abbreviation, e.g. 勐海教督 (勐海教督〔2026〕7号)")
    @click.option("--recipients", default=None, help="主送机关, e.g. 各乡（镇）人民政府，县直有关部门：")
    @click.option("--cc", default=None, help="抄送, e.g. 县委办公室，县人大常委会办公室")
    @click.option("--contact-person", "contact_person", default=None)
    @click.option("--contact-phone", "contact_phone", default=None)
    @click.option("--regulation", default=None, help="the province's regulation cited by notices (empty: none)")
    @click.option("--education-bureau", "education_bureau", default=None,
                  help="co-issuer of the townships' return notices, e.g. 勐海县教育体育局")
    @click.option("--page-numbers", "page_numbers", type=click.Choice(["outside", "centre"]), default=None,
                  help="outside: odd pages right, even pages left (GB/T 9704); centre: drafts")
    @click.option("--red-header", "red_header", type=click.Choice(["on", "off"]), default=None,
                  help="on: the issuer's name in red over a red rule (红头) on formally issued documents")
    @click.option("--show", is_flag=True, help="only print the settings in force (defaults included)")
    def set_document_settings_cmd(area: str, show: bool, **options: str | None) -> None:
        """Set how an area signs and numbers its documents; prints the settings in force as JSON."""
        values = {OPTION_FIELDS[k]: v for k, v in options.items() if v is not None}
        ext = current_app.extensions["baoxue"]
        try:
            if show or not values:
                with ext.session_factory() as s:
                    got = issuer_settings(s, area)
            else:
                with audit.acting_as(None, "cli:set-document-settings"), ext.session_factory() as s, s.begin():
                    got = save_settings(s, area, **values)
        except SettingsInvalid as exc:
            raise click.ClickException(f"--area {area}: {exc}") from exc
        click.echo(json.dumps({f: getattr(got, f) for f in ("area_code", *SETTING_FIELDS, "configured")},
                              ensure_ascii=False, indent=1))

    @server.cli.command("documents")
    @click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv")
    @click.option("--get", "get_id", type=int, default=None, help="write this issued document's bytes to --out")
    @click.option("--out", default=None, help="the file to write with --get (.docx or .pdf)")
    def documents_cmd(fmt: str, get_id: int | None, out: str | None) -> None:
        """List the register of issued documents, or write one back exactly as issued."""
        with current_app.extensions["baoxue"].session_factory() as s:
            scope = Scope("admin", unrestricted=True)
            if get_id is not None:
                if not out:
                    raise click.BadParameter("--out is required with --get", param_hint="--out")
                kind = "pdf" if out.lower().endswith(".pdf") else "docx"
                found = issued_file(s, scope, get_id, kind)
                if found is None:
                    raise click.ClickException(f"document {get_id}: not in the register (or no {kind} stored)")
                Path(out).write_bytes(found[1])
                click.echo(f"wrote {out} ({found[0].number})")
                return
            rows = [{"id": d.id, "number": d.number, "title": d.title, "kind": d.kind, "issuer": d.issuer,
                     "area": d.area_code, "issued_on": d.issued_on.isoformat(), "issued_by": d.issued_by,
                     "pdf": d.has_pdf} for d in issued_documents(s, scope)]
        emit_rows(rows, ["id", "number", "title", "kind", "issuer", "area", "issued_on", "issued_by", "pdf"], fmt)

    @server.cli.command("enrolment-notices")
    @click.option("--village", required=True, help="12-digit code of the village (村/居委会)")
    @click.option("--kind", type=click.Choice(["grade7", "grade1", "return"]), required=True,
                  help="grade7: the grade-6 pupils entering grade 7; grade1: blank forms for the entrants; "
                       "return: children with an open confirmed dropout case")
    @click.option("--year", type=int, default=None, help="the school year starting in September (default: the next)")
    @click.option("--report-by", "report_by", type=click.DateTime(["%Y-%m-%d"]), default=None,
                  help="the day children are brought to school (default: 1 September)")
    @click.option("--blank", type=int, default=None, help="grade1: how many forms (default: the village's "
                                                          "population of age 6)")
    @click.option("--list", "list_only", is_flag=True, help="only list the children due a notice (CSV), issue nothing")
    @click.option("--out", default=None, help="the file to write (.docx or .pdf)")
    def enrolment_notices_cmd(village: str, kind: str, year: int | None, report_by: object, blank: int | None,
                              list_only: bool, out: str | None) -> None:
        """Issue a village's 入学（复学）通知书: one page a child and a signing sheet, jointly issued by the
        township and the education bureau under one 发文字号 of the township's register."""
        from data_access.documents.enrolment import EnrolmentInvalid, EnrolmentRefused, enrolment_batch
        from domain.documents import enrolment_deadline
        from domain.localtime import local_today
        from web.enrolment_files import issue_batch
        today = local_today()
        year = year or (today.year if today.month <= 8 else today.year + 1)
        due = report_by.date() if report_by is not None else enrolment_deadline(year)
        ext = current_app.extensions["baoxue"]
        scope = Scope("admin", unrestricted=True)
        try:
            if list_only:
                with ext.session_factory() as s:
                    batch = enrolment_batch(s, "admin", scope, village, kind, year, today, due, blank)
                emit_rows([{"serial": f"{i:03d}", "name": c.name, "gender": c.gender,
                            "birth": c.birth.isoformat() if c.birth else "", "from_school": c.from_school,
                            "to_school": c.to_school, "guardian": c.guardian}
                           for i, c in enumerate(batch.children, start=1)],
                          ["serial", "name", "gender", "birth", "from_school", "to_school", "guardian"], "csv")
                return
            if not out:
                raise click.BadParameter("--out is required (or --list)", param_hint="--out")
            with audit.acting_as(None, "cli:enrolment-notices"), ext.session_factory() as s, s.begin():
                doc, batch = issue_batch(s, "admin", scope, village, kind, year, due, blank, None, "cli")
                body = doc.pdf if out.lower().endswith(".pdf") else doc.docx
                number = doc.number
        except EnrolmentRefused as exc:
            raise click.ClickException(f"--village {village}: not a village") from exc
        except EnrolmentInvalid as exc:
            raise click.ClickException(str(exc)) from exc
        if body is None:
            raise click.ClickException("no CJK font for the PDF: install fonts-noto-cjk")
        Path(out).write_bytes(body)
        click.echo(f"issued {number}: {len(batch.children)} notices, wrote {out}")
