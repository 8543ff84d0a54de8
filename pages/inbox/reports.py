"""Reports (报送, issue 18.2): each school and township sends the reports its county's duties ask for — after term
start, monthly, quarterly, the spring survey — with figures Baoxue fills in; the county sees who is late or has
not sent (未报送, counted in the tiers)."""
from __future__ import annotations

from urllib.parse import urlencode

import dash
from dash import Input, Output, State, callback, dcc, html, no_update
from flask_babel import gettext as _
from flask_login import current_user

from components.controls import county_picker, searched_options
from components.inbox.reports import (REPORTS_CENTRAL_BOX, REPORTS_CENTRAL_DOCX, REPORTS_CENTRAL_PDF,
                                      REPORTS_CENTRAL_PICK, REPORTS_FIGURES, REPORTS_MONTHLY, central_panel,
                                      monthly_panel, REPORTS_FORM, REPORTS_MINE, REPORTS_MSG, REPORTS_NOTES,
                                      REPORTS_PICK, REPORTS_REFRESH, REPORTS_SEND, REPORTS_SUMMARY, figures_text,
                                      mine_table, send_form, summary_grid, county_summary, REPORTS_COUNTY)
from data_access.inbox.duties import (DutyRefused, board, counts_by_county, report_figures, submit_report,
                                     team_leader_of)
from data_access.names import county_scope, scope_counties
from data_access.documents.activity import teaching_span
from data_access.documents.central import central_schools
from data_access.inbox.monthly import drafts_for, issuer_counties
from domain.areas import county_of
from domain.periods import periods_of
from domain.schooldays import default_teaching_span
from domain.terms import parse_term, term_for_date
from wording.dashboard import period_name
from domain.inbox.monthly import DocumentLink, previous_month
from domain.localtime import local_date, local_today
from web.context import AreaRefused, current_scope, db, transaction
from web.monthly_report import ISSUER_ROLES
from web.saves import saves
from wording.i18n import N_
from wording.inbox import duty_refused_text, report_state_name

REPORTERS = {"school_staff": "school", "township_officer": "township", "inspector": "team"}
dash.register_page(__name__, path="/reports", name="Reports", label=N_("Reports"), icon="send",
                   roles=("school_staff", "township_officer", "inspector", "county_leader", "admin"), order=1.5)
URGENCY = {"missing": 0, "due": 1, "open": 2, "late": 3, "on_time": 4}


def layout(county: str | None = None, **_query: str) -> html.Div:
    """Frame: the user's unit's reports and the form (units), the summary of the area (overseers); an area spanning
    counties is summed by county until one is picked (?county=…)."""
    counties = scope_counties(db(), current_scope()) or {}
    picker = html.Div(county_picker(REPORTS_COUNTY, counties, county), className="mb-2",
                      style={"maxWidth": "24rem"}, hidden=not counties)
    return html.Div([
        dcc.Store(id=REPORTS_REFRESH, data=0),
        html.H2(_("Reports"), className="h4 mb-1"),
        html.P(_("The reports the county's duties ask for, with their deadlines in working days. A report missing "
                 "or sent late counts in the unit's tier as 未报送."), className="text-muted small"),
        send_form(),
        html.Div(id=REPORTS_MONTHLY),
        central_panel(),
        html.Div(id=REPORTS_MINE, className="mb-3"),
        html.H3(_("Who has sent what"), className="h6"),
        picker,
        dcc.Loading(html.Div(id=REPORTS_SUMMARY)),
    ])


def _value(r) -> str:  # noqa: ANN001 - a ReportRow
    return f"{r.duty_id}|{r.period.key}|{r.unit_code}"


@callback(Output(REPORTS_FORM, "hidden"), Output(REPORTS_PICK, "options"), Output(REPORTS_PICK, "value"),
          Output(REPORTS_MINE, "children"), Output(REPORTS_SUMMARY, "children"), Input(REPORTS_REFRESH, "data"),
          Input(REPORTS_COUNTY, "value"))
def show(_refresh: int | None, county: str | None = None) -> tuple:
    """The unit's own reports (to send: missing, due and open ones first) and everything in the user's area; an
    area spanning counties counted by county until one of them is picked (a province's every school × period was
    a 22 MB grid)."""
    role = getattr(current_user, "role", None)
    if role not in ("school_staff", "township_officer", "inspector", "county_leader", "admin"):
        raise AreaRefused()
    scope = current_scope()
    counties = scope_counties(db(), scope)
    picked = county if counties and county in counties else None
    if counties and not picked and role not in REPORTERS:       # an overseer above one county: counts by county
        return True, [], None, None, county_summary(counts_by_county(db(), scope, local_today(), counties))
    scope = county_scope(scope, picked, counties) or scope          # one whole county of the user's area
    rows = board(db(), scope, local_today())
    if picked:
        rows = [r for r in rows if county_of(r.township_code) == picked]
    mine = sorted((r for r in rows if r.reporter == REPORTERS.get(role)),
                  key=lambda r: (URGENCY.get(r.state, 9), r.period.deadline))
    to_send = [r for r in mine if r.state in ("missing", "due", "open")
               and (role != "inspector" or team_leader_of(db(), current_user.id, r.unit_code))]  # 组长 sends
    options = [{"label": f"{r.duty_name} · {r.period.key} · {r.unit_name} · {report_state_name(r.state)}",
                "value": _value(r)} for r in to_send]
    overseen = [r for r in rows if r.reporter != REPORTERS.get(role) or role == "admin"]
    return (not to_send, options, options[0]["value"] if options else None,
            mine_table(mine) if role in REPORTERS else None,
            summary_grid(overseen) if role != "school_staff" else None)


@callback(Output(REPORTS_MONTHLY, "children"), Input(REPORTS_REFRESH, "data"), Input(REPORTS_COUNTY, "value"))
def monthly(_refresh: int | None, county: str | None = None) -> object:
    """County leaders and admins: last month's report of their county (made on request) and the schedule's drafts;
    above one county, those of the county picked (a province's 112 counties' links were ~1 s of a busy browser)."""
    if getattr(current_user, "role", None) not in ISSUER_ROLES:
        return None
    scope, today = current_scope(), local_today()
    counties = scope_counties(db(), scope)
    if counties:
        scope = county_scope(scope, county, counties)
        if scope is None:
            return html.P(_("Pick a county below for its monthly report and the drafts to issue."),
                          className="text-muted small")
    month = previous_month(today)
    current = [DocumentLink(_("Monthly report %(month)s of %(county)s", month=month, county=name), month, None,
                            f"/reports/monthly.docx?county={code}&month={month}",
                            f"/reports/monthly.pdf?county={code}&month={month}")
               for code, name in issuer_counties(db(), scope)]
    drafts = [DocumentLink(d.title, d.period_key, local_date(d.created_at), f"/reports/drafts/{d.id}.docx",
                           f"/reports/drafts/{d.id}.pdf" if d.has_pdf else None) for d in drafts_for(db(), scope)]
    return monthly_panel(current, drafts)


@callback(Output(REPORTS_CENTRAL_PICK, "options"), Output(REPORTS_CENTRAL_PICK, "value"),
          Output(REPORTS_CENTRAL_BOX, "hidden"), Input(REPORTS_REFRESH, "data"),
          Input(REPORTS_CENTRAL_PICK, "search_value"), State(REPORTS_CENTRAL_PICK, "value"))
def central_choices(_refresh: int | None, search: str | None = None, picked: str | None = None) -> tuple:
    """The central schools the user sees × the months of the term so far (issue 18.4: a monthly notice); of a long
    list (a province's 1,395 central schools), those matching what is typed."""
    if getattr(current_user, "role", None) not in ("school_staff", "township_officer", "county_leader", "admin"):
        return [], None, True
    schools = central_schools(db(), current_scope())
    if not schools:
        return [], None, True
    today = local_today()
    term = term_for_date(today).code
    span = teaching_span(db(), current_user.area_code or "", term) if current_user.area_code else \
        default_teaching_span(parse_term(term))
    months = [p for p in periods_of("monthly", term, span) if p.start <= today] or periods_of("monthly", term, span)[:1]
    named = [(p.key, period_name(p)) for p in reversed(months)]   # once a month, not once a school and month
    choices = [(f"{sid}|{key}", f"{name} · {label}") for sid, name in schools for key, label in named]
    values = {v for v, _label in choices}
    chosen = picked if picked in values else next(
        (v for v, _label in choices if v.endswith(previous_month(today))), choices[0][0])
    return searched_options(choices, search if isinstance(search, str) else None, chosen), chosen, False


@callback(Output(REPORTS_CENTRAL_DOCX, "href"), Output(REPORTS_CENTRAL_PDF, "href"),
          Input(REPORTS_CENTRAL_PICK, "value"))
def central_links(value: str | None) -> tuple[str, str]:
    """The chosen notice's downloads (the route checks the school against the user's scope)."""
    if not value or "|" not in value:
        return "#", "#"
    school, month = value.split("|", 1)
    query = urlencode({"school": school, "month": month})
    return f"/reports/central.docx?{query}", f"/reports/central.pdf?{query}"


def _parse(value: str | None) -> tuple[int, str, str]:
    try:
        duty, period, unit = str(value or "").split("|")
        return int(duty), period, unit
    except ValueError as exc:
        raise AreaRefused() from exc


@callback(Output(REPORTS_FIGURES, "children"), Input(REPORTS_PICK, "value"), prevent_initial_call=True)
def preview(value: str | None) -> object:
    """The figures the chosen report will carry (the user's own units only)."""
    if not value:
        return None
    duty, _period, unit = _parse(value)
    if not any(_value(r) == value for r in board(db(), current_scope(), local_today())):
        raise AreaRefused()
    return figures_text(report_figures(db(), unit, duty, local_today()))


@callback(Output(REPORTS_MSG, "children"), Output(REPORTS_REFRESH, "data"), Input(REPORTS_SEND, "n_clicks"),
          State(REPORTS_PICK, "value"), State(REPORTS_NOTES, "value"), State(REPORTS_REFRESH, "data"),
          prevent_initial_call=True)
@saves
def send(clicks: int | None, value: str | None, notes: str | None, refresh: int | None) -> tuple:
    """Send the chosen report (a school's staff for their school, a township officer for their township)."""
    role = getattr(current_user, "role", None)
    if role not in REPORTERS:
        raise AreaRefused()
    if not clicks or not value:
        return no_update, no_update
    duty, period, unit = _parse(value)
    try:
        with transaction() as session:
            submit_report(session, current_scope(), role, current_user.id, duty, period, unit, str(notes or ""),
                          local_today())
    except DutyRefused as exc:
        if exc.code == "not_allowed":
            raise AreaRefused() from exc
        return html.Span(duty_refused_text(exc.code), className="text-danger"), no_update
    return html.Span(_("Sent. The county sees it now."), className="text-success"), (refresh or 0) + 1
