"""Inspection rules (domain.md §6), pure: the default checklist and its score, the reproducible
stratified phone sample, findings from each method, masked phones and coverage due dates."""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from domain.dashboard.indicators import ENROLLED
from domain.privacy import mask_phone  # noqa: F401 - re-exported for the inspection views

RESULTS = ("pass", "fail", "na")
ABSENCE_REASONS = ("事假", "病假", "辍学", "转学", "不明")
UNEXPLAINED = "不明"
DROPPED_OUT = "辍学"
CALL_OUTCOMES = ("attending", "not_attending", "unreachable", "wrong_number", "no_number")
INTERVIEW_ROLES = ("principal", "teacher", "student", "parent", "village_cadre", "township_official")
METHODS = ("file_review", "head_count", "phone_check", "interview", "manual")
FINDING_KINDS = ("work_gap", "absence", "false_data", "suspected_dropout", "other")
FALSE_DATA_TYPES = ("ghost_enrolment", "concealed_dropout")  # 空挂学籍, 瞒报
SEVERITIES = ("low", "medium", "high")
VISIT_STATUSES = ("draft", "signed")
PRESENT_STATUS = "在读"  # who a head count expects in class (休学 and 送教上门 are away by status)
DEFAULT_DUE_WORKING_DAYS = 15  # domain.md §9: reports within 10–15 days of term start
MAX_SAMPLE = 200

# The default file-review checklist (domain.md §6.1): code, Chinese text, English text.
DEFAULT_CHECKLIST: tuple[tuple[str, str, str], ...] = (
    ("leading_group", "成立由主要领导（一把手）任组长的控辍保学领导小组", "A leading group headed by the top official"),
    ("written_plan", "制定“一乡一策”“一校一策”“一村一策”工作方案", "Written plans: one per township, school and village"),
    ("two_line_letters", "逐级签订控辍保学“双线”目标责任书", "Two-line responsibility letters signed level by level"),
    ("dropout_ledger", "建立辍学学生台账，人账相符", "Dropout ledger kept and matching reality"),
    ("notices", "发放入学通知书、复学通知书", "Enrolment and return-to-school notices issued"),
    ("village_rules", "村规民约含义务教育条款", "Village rules with an education clause"),
    ("one_student_plan", "辍学学生“一生一策”“一生一案”", "One plan per returning student"),
    ("home_visits", "家访登记记录完整", "Home-visit records kept"),
    ("registry_marking", "学籍系统辍学标注与实际相符", "Dropout marking in the student registry matches reality"),
    ("term_start_check", "开学10日内完成排查、15日内上报", "Term-start check within 10 days, report within 15 days"),
    ("absence_reporting", "落实48小时/3天缺勤报告制度", "48-hour / 3-day absence reporting in force"),
    ("pairing", "结对帮扶记录完整", "Pairing assistance records kept"),
    ("publicity", "开展宣传月活动，公布举报电话", "Publicity month held and the tip line published"),
    ("supervisor_sign", "辍学报告有责任督学签字", "Supervisor's countersignature on dropout reports"),
    ("left_behind_register", "留守儿童登记造册", "Left-behind children registered"),
    ("family_aid", "落实两免一补、营养改善计划等资助政策", "Aid for poor families (two exemptions, one subsidy; nutrition)"),
)


@dataclass(frozen=True)
class ChecklistScore:
    """How a file review stands: items passed, failed, not applicable and not yet answered."""

    passed: int
    failed: int
    not_applicable: int
    unanswered: int

    @property
    def total(self) -> int:
        """All items of the checklist."""
        return self.passed + self.failed + self.not_applicable + self.unanswered

    @property
    def percent(self) -> float | None:
        """Share of applicable answered items that passed, or None when none is answered."""
        judged = self.passed + self.failed
        return 100.0 * self.passed / judged if judged else None


def checklist_score(results: Iterable[str | None]) -> ChecklistScore:
    """Count the results of a checklist (None: not answered yet)."""
    values = list(results)
    return ChecklistScore(values.count("pass"), values.count("fail"), values.count("na"),
                          sum(1 for v in values if v not in RESULTS))


# --- phone sample -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    """An enrolled roster record that may be sampled for a phone check."""

    roster_id: int
    grade: int
    special: bool  # poverty_registered, disabled (disability ≠ 无) or left behind


def is_special(poverty_registered: bool, disability: str | None, left_behind: bool) -> bool:
    """True for the special groups the phone check calls first."""
    return bool(poverty_registered or (disability and disability != "无") or left_behind)


def _quotas(size: int, sizes: Mapping[int, int], rng: random.Random) -> dict[int, int]:
    """Spread `size` calls over the grades in proportion to their size (largest remainder), every
    grade getting at least one call while the sample is large enough."""
    grades = sorted(sizes)
    total = sum(sizes.values())
    if size >= total:
        return dict(sizes)
    if size < len(grades):
        chosen = set(rng.sample(grades, size))
        return {g: int(g in chosen) for g in grades}
    exact = {g: size * sizes[g] / total for g in grades}
    quotas = {g: min(sizes[g], max(1, int(exact[g]))) for g in grades}
    while sum(quotas.values()) < size:
        g = max((g for g in grades if quotas[g] < sizes[g]), key=lambda g: (exact[g] - quotas[g], -g))
        quotas[g] += 1
    while sum(quotas.values()) > size:
        g = min((g for g in grades if quotas[g] > 1), key=lambda g: (exact[g] - quotas[g], g))
        quotas[g] -= 1
    return quotas


def draw_sample(candidates: Iterable[Candidate], size: int, seed: int) -> list[Candidate]:
    """A reproducible stratified sample: the same candidates, size and seed give the same calls.

    Every grade gets calls in proportion to its size (at least one while the sample allows), and
    within a grade the special-group children are taken first. The calls come special-group first,
    then by grade.
    """
    pool = sorted(set(candidates), key=lambda c: c.roster_id)
    if size <= 0 or not pool:
        return []
    rng = random.Random(seed)
    by_grade: dict[int, list[Candidate]] = {}
    for c in pool:
        by_grade.setdefault(c.grade, []).append(c)
    for grade in sorted(by_grade):
        rng.shuffle(by_grade[grade])
        by_grade[grade].sort(key=lambda c: not c.special)  # stable: random order kept within each group
    quotas = _quotas(size, {g: len(v) for g, v in by_grade.items()}, rng)
    picked = [(i, c) for g in sorted(by_grade) for i, c in enumerate(by_grade[g][:quotas[g]])]
    return [c for _i, c in sorted(picked, key=lambda p: (not p[1].special, p[1].grade, p[0]))]


# --- findings ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class FindingDraft:
    """A finding a method's records call for; `source_key` identifies it within the visit."""

    source_key: str
    method: str
    kind: str
    severity: str
    township_code: str
    school_id: int | None = None
    roster_record_id: int | None = None
    false_data_type: str | None = None
    subject: str = ""
    count: int | None = None
    description: str = ""
    student_id: int | None = None


@dataclass(frozen=True)
class ItemResult:
    """A checklist item's result on a visit."""

    item_id: int
    text: str
    result: str | None
    note: str = ""


@dataclass(frozen=True)
class AbsentStudent:
    """A student recorded absent in a head count, with the roster status (empty once the record is gone)."""

    student_id: int
    roster_record_id: int | None
    name: str
    reason: str
    roster_status: str = PRESENT_STATUS


@dataclass(frozen=True)
class ClassCount:
    """One class's head count: roster count, number present (None: not counted) and absences."""

    head_count_id: int
    school_id: int
    label: str
    roster_count: int
    counted_present: int | None
    absences: tuple[AbsentStudent, ...] = ()

    @property
    def unaccounted(self) -> int:
        """Roster students neither present nor recorded absent (0 when the class was not counted)."""
        return unaccounted_students(self.roster_count, self.counted_present, len(self.absences))


@dataclass(frozen=True)
class CallResult:
    """A phone call's outcome for a sampled student (roster status empty once the record is gone)."""

    student_id: int
    roster_record_id: int | None
    school_id: int | None
    label: str
    roster_status: str
    outcome: str | None


def _was_enrolled(status: str) -> bool:
    """Enrolled on the roster — or the record is gone (an import removed it), which is no better: the
    student was enrolled when picked or sampled."""
    return status in ENROLLED or not status


def findings_from_file_review(township_code: str, items: Iterable[ItemResult]) -> list[FindingDraft]:
    """A failed checklist item is a finding about the township's work."""
    return [FindingDraft(f"item:{i.item_id}", "file_review", "work_gap", "medium", township_code,
                         subject=i.text, description=i.note) for i in items if i.result == "fail"]


def findings_from_head_count(township_code: str, classes: Iterable[ClassCount]) -> list[FindingDraft]:
    """Unexplained absences; enrolled students said to have dropped out (suspected dropouts); and
    roster students nobody can account for — possible ghost enrolment (空挂学籍, false data)."""
    out: list[FindingDraft] = []
    for c in classes:
        if c.counted_present is None:
            continue
        for a in c.absences:
            if a.reason == UNEXPLAINED:
                out.append(FindingDraft(f"absence:{a.student_id}", "head_count", "absence", "medium", township_code,
                                        c.school_id, a.roster_record_id, subject=f"{c.label} {a.name}",
                                        student_id=a.student_id))
            elif a.reason == DROPPED_OUT and _was_enrolled(a.roster_status):
                out.append(FindingDraft(f"hc-dropout:{a.student_id}", "head_count", "suspected_dropout", "high",
                                        township_code, c.school_id, a.roster_record_id, subject=f"{c.label} {a.name}",
                                        student_id=a.student_id))
        if c.unaccounted:
            out.append(FindingDraft(f"unaccounted:{c.head_count_id}", "head_count", "false_data", "high",
                                    township_code, c.school_id, false_data_type="ghost_enrolment", subject=c.label,
                                    count=c.unaccounted))
    return out


def findings_from_phone_check(township_code: str, calls: Iterable[CallResult]) -> list[FindingDraft]:
    """"Not attending" for an enrolled student: a suspected dropout (疑似辍学)."""
    return [FindingDraft(f"call:{c.student_id}", "phone_check", "suspected_dropout", "high", township_code,
                         c.school_id, c.roster_record_id, subject=c.label, student_id=c.student_id)
            for c in calls if c.outcome == "not_attending" and _was_enrolled(c.roster_status)]


@dataclass(frozen=True)
class FindingSync:
    """What to do with a visit's generated findings: add, update (by id) and remove (ids)."""

    add: tuple[FindingDraft, ...]
    update: tuple[tuple[int, FindingDraft], ...]
    remove: tuple[int, ...]


def sync_findings(wanted: Sequence[FindingDraft], existing: Mapping[str, tuple[int, FindingDraft]]) -> FindingSync:
    """Compare the findings the records call for with the generated ones stored (by source key).

    A stored finding keeps its severity (inspectors may change it); the rest follows the records.
    """
    wanted_by_key = {w.source_key: w for w in wanted}
    add = tuple(w for k, w in wanted_by_key.items() if k not in existing)
    update = []
    for key, (fid, old) in existing.items():
        new = wanted_by_key.get(key)
        if new is not None:
            new = FindingDraft(**{**new.__dict__, "severity": old.severity})
            if new != old:
                update.append((fid, new))
    remove = tuple(fid for key, (fid, _old) in existing.items() if key not in wanted_by_key)
    return FindingSync(add, tuple(update), remove)


# --- coverage ---------------------------------------------------------------------------------

def coverage_state(draft_visits: int, signed_visits: int, due: dt.date, today: dt.date,
                   first_signed: dt.date | None = None) -> str:
    """done (a signed visit; done_late when the first signed visit came after the due date), in_progress
    (a draft only), overdue (none after the due date) or due."""
    if signed_visits:
        return "done_late" if first_signed is not None and first_signed > due else "done"
    if draft_visits:
        return "in_progress"
    return "overdue" if today > due else "due"


def unaccounted_students(roster_count: int, counted_present: int | None, absences: int) -> int:
    """Roster students of a class neither counted present nor recorded absent (0 until counted)."""
    if counted_present is None:
        return 0
    return max(0, roster_count - counted_present - absences)


SIGN_REASON_MAX = 500


@dataclass(frozen=True)
class SignOffGap:
    """What a visit leaves undone at sign-off: `missing` of `total` for one method."""

    method: str  # file_review, head_count, phone_check or interview
    missing: int
    total: int


def sign_off_gaps(item_results: Sequence[str | None], classes_counted: Sequence[bool],
                  call_outcomes: Sequence[str | None], interviews: int) -> list[SignOffGap]:
    """The gaps of the four methods: checklist items unchecked, classes not counted, calls without a result,
    and no interview at all. An empty list means the visit is complete."""
    gaps = [SignOffGap("file_review", sum(r is None for r in item_results), len(item_results)),
            SignOffGap("head_count", sum(not c for c in classes_counted), len(classes_counted)),
            SignOffGap("phone_check", sum(o is None for o in call_outcomes), len(call_outcomes))]
    out = [g for g in gaps if g.missing]
    if interviews == 0:
        out.append(SignOffGap("interview", 1, 1))
    return out


def gaps_code(gaps: Sequence[SignOffGap]) -> str:
    """The gaps as stored with a signed visit: "file_review 10/16; phone_check 5/10" (worded where shown)."""
    return "; ".join(f"{g.method} {g.missing}/{g.total}" for g in gaps)


def parse_gaps(code: str | None) -> tuple[SignOffGap, ...]:
    """The gaps read back from gaps_code() (parts that do not parse are skipped)."""
    out = []
    for part in (code or "").split(";"):
        method, _sep, counts = part.strip().partition(" ")
        missing, _slash, total = counts.partition("/")
        if method and missing.isdigit() and total.isdigit():
            out.append(SignOffGap(method, int(missing), int(total)))
    return tuple(out)
