"""The early-warning page's pieces: the list (per school and class, highest score first), the record form, the county
view (counts, never names) and the back-test (figures and the curve)."""
from __future__ import annotations

from collections.abc import Sequence

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dcc, html
from flask_babel import gettext as _

from components.charts import _base_layout
from components.controls import COUNT_FORMAT, dropdown, grid
from wording.i18n import N_
from wording.warning import ACTION_WORDS, ListWords, basis_text

WARN_REFRESH = "warn-refresh"
WARN_LIST = "warn-list"
WARN_GRID = "warn-grid"
WARN_COUNTY = "warn-county"
WARN_PICK = "warn-pick-county"
WARN_FORM = "warn-form"
WARN_ACTION = "warn-action"
WARN_DATE = "warn-date"
WARN_DAYS = "warn-days"
WARN_NOTE = "warn-note"
WARN_SAVE = "warn-save"
WARN_MSG = "warn-msg"
WARN_CASE = "warn-case"
WARN_CASE_FOR = "warn-case-for"
WARN_CASE_MSG = "warn-case-msg"
WARN_BACKTEST = "warn-backtest"
WARN_RUN = "warn-run"


BACKTEST_HEADS = (N_("Term"), N_("Next term"), N_("Pupils"), N_("Listed"), N_("Dropouts"), N_("Caught"),
                  N_("Recall"), N_("Precision"), N_("List share"))


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f}%"


WARN_EMPTY = "warn-empty"


def risk_data(rows: Sequence) -> list[dict]:
    """The list's grid rows (names as the role may see them), highest score first; drawn by the model, the score
    is its chance in percent and the reasons are its largest contributions."""
    words = ListWords()
    return [{"id": r.student_id, "township": r.township, "school": r.school, "grade": r.grade,
             "class": r.class_name, "name": r.name, "no": r.student_no,
             "score": r.score if r.chance is None else round(100 * r.chance, 2),
             "factors": words.factors(r.hits) if r.chance is None else words.contributions(r.contributions),
             "support": words.support(r.support),
             "plan": words.yes if "plan" in r.support else words.no} for r in rows]


def empty_note(rows: Sequence, refreshing: bool = False, method: str | None = None, listed: int = 0) -> object:
    """Which method drew the list, a line saying the list is empty, one while scores are being refreshed, and one
    when the list shows only the highest of its `listed` pupils."""
    notes = []
    if listed > len(rows):
        notes.append(html.P(_("The %(shown)s highest of %(listed)s listed pupils are shown; the counts by township and "
                              "school cover them all.", shown=f"{len(rows):,}", listed=f"{listed:,}"),
                            className="small text-warning mb-1", id="warn-capped"))
    if method is not None:
        notes.append(html.P(basis_text(method), className="small mb-1", id="warn-basis",
                            **{"data-method": method}))
    if refreshing:
        notes.append(html.P(_("Scores are being refreshed after an import; the list shows the scores stored "
                              "before it. Reload in a few minutes."), className="text-warning", id="warn-refreshing"))
    if not rows:
        notes.append(html.P(_("No pupil reaches the list's threshold this term."), className="text-muted"))
    return notes or None


def risk_columns(method: str = "rule") -> list[dict]:
    """The list's columns; drawn by the model, the score column is the model's chance (%)."""
    score = _("Score") if method != "model" else _("Model chance (%)")
    return [{"field": "township", "headerName": _("Township"), "width": 110},
            {"field": "school", "headerName": _("School"), "width": 150},
            {"field": "grade", "headerName": _("Grade"), "width": 80},
            {"field": "class", "headerName": _("Class"), "width": 80},
            {"field": "name", "headerName": _("Name"), "width": 100},
            {"field": "no", "headerName": _("Student number"), "width": 190},
            {"field": "score", "headerName": score, "width": 100 if method != "model" else 150, "sort": "desc"},
            {"field": "factors", "headerName": _("Why"), "flex": 1, "minWidth": 320, "wrapText": True,
             "autoHeight": True},
            {"field": "plan", "headerName": _("Plan (一生一策)"), "width": 100},
            {"field": "support", "headerName": _("What the school does"), "width": 200, "wrapText": True,
             "autoHeight": True}]


def risk_grid() -> object:
    """The list's grid (rows arrive through the page's callback); a row is picked to record for that pupil."""
    return html.Div([html.Div(id=WARN_EMPTY),
                     grid(id=WARN_GRID, rowData=[], columnDefs=risk_columns(), paginate=True, getRowId="params.data.id",
                          options={"rowSelection": {"mode": "singleRow", "checkboxes": False,
                                                          "enableClickSelection": True}})])


def record_form(absence_days_note: str, today: str) -> object:
    """Pick a pupil in the list, then what to record: an absence (date, days, reason) or what the school does."""
    return dbc.Card(dbc.CardBody([
        html.H3(_("Record for the pupil picked in the list"), className="h6"),
        dbc.Row([
            dbc.Col(dropdown(id=WARN_ACTION, options=[{"label": _(w), "value": k} for k, w in ACTION_WORDS.items()],
                             value="absence", clearable=False), md=3),
            dbc.Col(dbc.Input(id=WARN_DATE, type="date", value=today, max=today), md=2),
            dbc.Col(dbc.Input(id=WARN_DAYS, type="number", min=1, max=200, step=1, placeholder=_("Days absent")),
                    md=2),
            dbc.Col(dbc.Input(id=WARN_NOTE, type="text", maxLength=200, placeholder=_("Reason or note")), md=3),
            dbc.Col(dbc.Button(_("Save"), id=WARN_SAVE, color="primary"), md=2),
        ], className="g-2"),
        html.Div(absence_days_note, className="text-muted small mt-1"),
        html.Div(id=WARN_MSG, className="mt-2"),
        dcc.Store(id=WARN_CASE_FOR),
        dbc.Button(_("Open a suspected case"), id=WARN_CASE, color="warning", className="mt-2",
                   style={"display": "none"}),
        html.Div(id=WARN_CASE_MSG, className="mt-1"),
    ]), id=WARN_FORM, className="mb-3")


def county_grid(rows: Sequence) -> object:
    """Per township and school: pupils, listed, listed with a plan, listed without one. Never names."""
    if not rows:
        return html.P(_("No scores for this term yet."), className="text-muted")
    def line(township: str, school: str, pupils: int, listed: int, plan: int) -> dict:
        return {"township": township, "school": school, "pupils": pupils, "listed": listed,
                "share": _pct(listed / pupils if pupils else None), "plan": plan, "no_plan": listed - plan}

    data = []
    towns: dict[str, list] = {}
    for r in rows:
        towns.setdefault(r.township, []).append(r)
    for town, members in towns.items():
        data.append(line(town, _("All schools"), sum(m.pupils for m in members), sum(m.listed for m in members),
                         sum(m.with_plan for m in members)))
        data += [line(r.township, r.school, r.pupils, r.listed, r.with_plan) for r in members]
    cols = [{"field": "township", "headerName": _("Township")}, {"field": "school", "headerName": _("School")},
            *_count_columns()]
    return html.Div([html.H3(_("Counts per township and school"), className="h6"),
                     grid(rowData=data, columnDefs=cols, paginate=True, id="warn-county-grid")])


def _count_columns() -> list[dict]:
    """Pupils, listed, share, with a plan, without one (counts with thousands separators)."""
    def count(field: str, name: str) -> dict:
        return {"field": field, "headerName": name, "valueFormatter": {"function": COUNT_FORMAT}}
    return [count("pupils", _("Pupils")), count("listed", _("At risk")), {"field": "share", "headerName": _("Share")},
            count("plan", _("With a plan")), count("no_plan", _("Without a plan"))]


def county_table(rows: Sequence) -> object:
    """An area spanning counties: per county (CountyCount rows) pupils in school, listed, share, listed with a plan
    and without one, with a total row. Never names."""
    def line(name: str, pupils: int, listed: int, plan: int) -> dict:
        return {"county": name, "pupils": pupils, "listed": listed,
                "share": _pct(listed / pupils if pupils else None), "plan": plan, "no_plan": listed - plan}
    data = [line(_("All counties"), sum(r.pupils for r in rows), sum(r.listed for r in rows),
                 sum(r.with_plan for r in rows))]
    data += [line(r.name, r.pupils, r.listed, r.with_plan) for r in sorted(rows, key=lambda r: (-r.listed, r.county))]
    cols = [{"field": "county", "headerName": _("County")}, *_count_columns()]
    return html.Div([html.H3(_("Counts per county"), className="h6"),
                     grid(rowData=data, columnDefs=cols, paginate=True, id="warn-county-table")])


def pick_county_note() -> object:
    """The list of an area spanning counties waits for a county: each county lists by its own threshold (or model)."""
    return html.P(_("Pick a county above to see its list: each county lists its pupils by its own threshold."),
                  className="text-muted", id="warn-pick-note")


def backtest_view(bt: object) -> object:
    """The back-test: pooled figures at the county's threshold, per term, and the curve over thresholds."""
    if not bt.terms:
        return html.P(_("The back-test needs at least two terms of rosters."), className="text-muted")
    p = bt.pooled
    summary = html.P(_("At threshold %(t)s: the list caught %(recall)s of the next term's dropouts (recall); "
                       "%(precision)s of listed pupils dropped out (precision); the list held %(share)s of pupils.",
                       t=bt.threshold, recall=_pct(p.recall), precision=_pct(p.precision), share=_pct(p.list_share)))
    head = html.Thead(html.Tr([html.Th(_(h)) for h in BACKTEST_HEADS]))
    body = html.Tbody([html.Tr([html.Td(x) for x in (t.term, t.next_term, t.result.pupils, t.result.listed,
                                                      t.result.dropouts, t.result.caught, _pct(t.result.recall),
                                                      _pct(t.result.precision), _pct(t.result.list_share))])
                       for t in bt.terms])
    fig = go.Figure()
    xs = [m.threshold for m in bt.curve]
    for label, values in ((_("Recall"), [m.recall for m in bt.curve]),
                          (_("Precision"), [m.precision for m in bt.curve]),
                          (_("List share"), [m.list_share for m in bt.curve])):
        fig.add_trace(go.Scatter(x=xs, y=[None if v is None else 100 * v for v in values], name=label,
                                 mode="lines+markers"))
    fig.add_vline(x=bt.threshold, line_dash="dot")
    fig.update_xaxes(title=_("Threshold (score)"))
    fig.update_yaxes(title="%", range=[0, 100])
    _base_layout(fig, _("Back-test over thresholds"))
    return html.Div([summary, dbc.Table([head, body], size="sm", bordered=True, id="warn-backtest-table"),
                     dcc.Graph(figure=fig, id="warn-curve")])


MODEL_HEADS = (N_("Threshold"), N_("Listed"), N_("Dropouts"), N_("Rule: caught"), N_("Model: caught"),
               N_("Rule: recall"), N_("Model: recall"), N_("Rule: precision"), N_("Model: precision"))


def model_view(cmp: object, switched_on: bool) -> object:
    """The statistical model against the rule on held-out terms, at the same list size (issue 20 item 5)."""
    if cmp.at_threshold is None:
        return html.P(_("Statistical model: not enough history to train on earlier terms and test on later ones "
                        "(dropouts are needed in both); the list uses the rule-based score."),
                      className="text-muted", id="warn-model")
    at = cmp.at_threshold
    verdict = (_("The model does better on the held-out terms.") if cmp.model_better
               else _("The model does not do better on the held-out terms; it is not used."))
    use = (_("The list uses the model.") if switched_on and cmp.model_better
           else _("The list uses the rule-based score."))
    summary = html.P([
        _("Statistical model (logistic regression) trained on %(train)s, tested on %(held)s, listing as many "
          "pupils as the rule: at threshold %(t)s it caught %(m)s of %(d)s dropouts, the rule %(r)s.",
          train="、".join(cmp.trained_on), held="、".join(cmp.held_out), t=at.threshold, m=at.model.caught,
          d=at.rule.dropouts, r=at.rule.caught), " ", verdict, " ", use])
    head = html.Thead(html.Tr([html.Th(_(h)) for h in MODEL_HEADS]))
    body = html.Tbody([html.Tr([html.Td(x) for x in (p.threshold, p.rule.listed, p.rule.dropouts, p.rule.caught,
                                                      p.model.caught, _pct(p.rule.recall), _pct(p.model.recall),
                                                      _pct(p.rule.precision), _pct(p.model.precision))])
                       for p in cmp.curve])
    return html.Div([html.H6(_("Rule against statistical model")), summary,
                     dbc.Table([head, body], size="sm", bordered=True, id="warn-model-table")], id="warn-model")
