"""The statistical model on the stored history (issue 20 item 5): the same terms as the back-test, the model
trained on the earlier terms and compared with the rule-based score on the held-out later terms. A county turns
the model on with the setting `model` (threshold 1); it is in use only while it also does better on held-out
terms (domain/warning/model.py)."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from data_access.models import RiskSetting
from data_access.scope import Scope
from data_access.warning.backtest import THRESHOLDS, _school_ids, term_history
from data_access.warning.scoring import county_settings
from domain.warning.model import Comparison, compare


def model_comparison(session: Session, scope: Scope, county_code: str,
                     thresholds: Iterable[int] = THRESHOLDS, held_out: int | None = None) -> Comparison:
    """Rule against model on the held-out terms of the schools in scope."""
    threshold = county_settings(session, county_code).list_threshold
    history = [h for h, _nxt in term_history(session, _school_ids(session, scope))]
    return compare(history, threshold, list(thresholds), held_out)


def model_switched_on(session: Session, county_code: str) -> bool:
    """The county's setting `model` (off unless set to 1)."""
    row = session.get(RiskSetting, (county_code, "model"))
    return bool(row is not None and row.threshold >= 1)


def model_in_use(session: Session, scope: Scope, county_code: str) -> bool:
    """The model is used only when the county switched it on and it does better on the held-out terms."""
    return model_switched_on(session, county_code) and model_comparison(session, scope, county_code).model_better
