"""Risk factors of dropping out (issue 20, README §10): one table of factors, each with a definition (what it
reads from a pupil's facts), a default weight and a default threshold; a county may change weight and threshold
per factor (or switch one off with weight 0). Pure: facts in, score and the factors that raised it out."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

NORMAL_AGE_GRADE1 = 6  # full years on 31 August when entering grade 1 (domain.md §3)

SCORED_STATUSES = ("在读", "送教上门")  # the roster lines a term's scores cover: the pupils in school

LEFT_BEHIND_TWO = "双亲"
LEFT_BEHIND_ONE = "单亲"


@dataclass(frozen=True)
class PupilFacts:
    """What Baoxue knows about one pupil as of one term (None: not known, the factor does not fire)."""

    grade: int | None = None
    age: int | None = None  # full years on 31 August of the term's school year
    semester: int | None = None  # 1 autumn, 2 spring
    repeats: int = 0  # times the pupil was in the same (or a lower) grade in a later school year
    past_suspension: bool = False  # a past roster line with 休学
    past_dropout: bool = False  # a past roster line with 辍学 or a past dropout case: a returned child
    absence_days: int = 0  # unexcused absence days reported this term and the term before
    inspection_absences: int = 0  # unexplained head-count absences and phone checks "not attending"
    poverty: bool | None = None  # 脱贫户 / 防返贫 family
    left_behind: bool | None = None
    left_behind_kind: str | None = None  # 单亲 / 双亲
    migrant: bool | None = None
    orphan: bool | None = None
    disability: str | None = None  # 无 or a kind
    boarding: bool | None = None
    transfers: int = 0  # school changes across the pupil's rosters


def overage(f: PupilFacts) -> int | None:
    """Years above the grade's normal age (age on 31 Aug minus grade + 5), or None without age or grade."""
    if f.age is None or f.grade is None:
        return None
    return f.age - (f.grade + NORMAL_AGE_GRADE1 - 1)


def _transition(f: PupilFacts) -> int | None:
    if f.grade is None or f.semester is None:
        return None
    return int((f.grade, f.semester) in ((6, 2), (7, 1), (8, 2)))


def _left_behind_two(f: PupilFacts) -> int | None:
    if f.left_behind_kind is None:
        return None
    return int(f.left_behind_kind == LEFT_BEHIND_TWO)


def _left_behind_one(f: PupilFacts) -> int | None:
    if f.left_behind_kind is None:
        return None if f.left_behind is None else int(bool(f.left_behind))  # left-behind, kind unknown: one parent
    return int(f.left_behind_kind == LEFT_BEHIND_ONE)


def _flag(value: bool | None) -> int | None:
    return None if value is None else int(bool(value))


def _disability(f: PupilFacts) -> int | None:
    return None if f.disability is None else int(f.disability not in ("", "无"))


@dataclass(frozen=True)
class Factor:
    """A factor: its code, what it measures (value of the facts), and its defaults. It fires when the value is
    at least the threshold; it then adds its weight to the score."""

    code: str
    measure: Callable[[PupilFacts], int | None]
    weight: int
    threshold: int
    group: str  # A (attendance), history, transition, family, school


FACTORS: tuple[Factor, ...] = (
    Factor("overage", overage, 3, 2, "history"),
    Factor("repeated", lambda f: f.repeats, 2, 1, "history"),
    Factor("returned", lambda f: int(f.past_dropout), 5, 1, "history"),
    Factor("suspended", lambda f: int(f.past_suspension), 2, 1, "history"),
    Factor("absence", lambda f: f.absence_days, 3, 3, "attendance"),
    Factor("inspection_absence", lambda f: f.inspection_absences, 2, 1, "attendance"),
    Factor("transition", _transition, 2, 1, "transition"),
    Factor("poverty", lambda f: _flag(f.poverty), 2, 1, "family"),
    Factor("left_behind_two", _left_behind_two, 2, 1, "family"),
    Factor("left_behind_one", _left_behind_one, 1, 1, "family"),
    Factor("migrant", lambda f: _flag(f.migrant), 1, 1, "family"),
    Factor("orphan", lambda f: _flag(f.orphan), 2, 1, "family"),
    Factor("disability", _disability, 1, 1, "family"),
    Factor("boarding", lambda f: _flag(f.boarding), 1, 1, "school"),
    Factor("churn", lambda f: f.transfers, 1, 2, "school"),
)
FACTOR_CODES = tuple(f.code for f in FACTORS)
DEFAULT_LIST_THRESHOLD = 5  # a pupil is on the list from this score on
ABSENCE_CASE_DAYS = 10  # an absence report of this many days (in a row) offers to open a suspected case


@dataclass(frozen=True)
class Setting:
    """A county's weight and threshold of one factor."""

    weight: int
    threshold: int


@dataclass(frozen=True)
class Settings:
    """A county's settings: per factor weight and threshold, the list threshold and the case-offer days."""

    factors: Mapping[str, Setting] = field(default_factory=lambda: {f.code: Setting(f.weight, f.threshold)
                                                                    for f in FACTORS})
    list_threshold: int = DEFAULT_LIST_THRESHOLD
    case_days: int = ABSENCE_CASE_DAYS


def settings_with(overrides: Mapping[str, tuple[int, int]], list_threshold: int | None = None,
                  case_days: int | None = None) -> Settings:
    """The defaults with a county's overrides ({code: (weight, threshold)}; unknown codes are ignored)."""
    base = Settings()
    merged = dict(base.factors)
    for code, (w, t) in overrides.items():
        if code in merged:
            merged[code] = Setting(int(w), int(t))
    return replace(base, factors=merged, list_threshold=base.list_threshold if list_threshold is None
                   else list_threshold, case_days=base.case_days if case_days is None else case_days)


@dataclass(frozen=True)
class Hit:
    """A factor that fired: its code, the measured value (e.g. 2 years over age, 7 days) and the points."""

    code: str
    value: int
    points: int


@dataclass(frozen=True)
class Score:
    """A pupil's score and the factors that raised it, heaviest first."""

    total: int
    hits: tuple[Hit, ...]

    @property
    def codes(self) -> str:
        """The factor codes, comma-separated (stored with the score)."""
        return ",".join(f"{h.code}:{h.value}" for h in self.hits)


def score(facts: PupilFacts, settings: Settings | None = None) -> Score:
    """The pupil's score under a county's settings: the sum of the weights of the factors that fire."""
    settings = settings or Settings()
    hits = []
    for factor in FACTORS:
        s = settings.factors.get(factor.code)
        if s is None or s.weight <= 0:
            continue
        value = factor.measure(facts)
        if value is not None and value >= s.threshold and value > 0:
            hits.append(Hit(factor.code, int(value), s.weight))
    hits.sort(key=lambda h: (-h.points, FACTOR_CODES.index(h.code)))
    return Score(sum(h.points for h in hits), tuple(hits))


def parse_hits(codes: str) -> tuple[Hit, ...]:
    """Stored factor codes back into hits (points unknown: 0)."""
    out = []
    for part in (codes or "").split(","):
        code, _, value = part.partition(":")
        if code in FACTOR_CODES:
            out.append(Hit(code, int(value or 0), 0))
    return tuple(out)
