"""Inspection (督导检查) models, domain.md §6: checklist templates, visits and the records of the four
methods (file review, head count, phone check, interview), findings and evidence files."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean, CheckConstraint, Date, DateTime, ForeignKey, ForeignKeyConstraint, Index, Integer, String, Text,
    UniqueConstraint, func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from data_access.models.base import Base, only_on


def _roster_line(table: str) -> tuple[ForeignKeyConstraint | CheckConstraint | Index, ...]:
    """The keys of a row's optional roster line (`roster_record_id`, going to NULL when the line is deleted). On
    PostgreSQL the roster is partitioned by term, so its lines are keyed by (id, term_code) and the row keeps the
    line's term beside its id (`roster_term_code`, set and cleared with it); SQLite keeps the key on the id alone.
    Indexed (migration 0034): every roster line deleted looks for its rows here, and without the index read the
    whole table — 7,939 phone calls in a province made a county's import 5× slower (bench/results-import.md)."""
    return (Index(f"ix_{table}_roster_line", "roster_record_id", "roster_term_code"),
            only_on("sqlite", ForeignKeyConstraint(["roster_record_id"], ["roster_record.id"], ondelete="SET NULL")),
            only_on("postgresql", ForeignKeyConstraint(
                ["roster_record_id", "roster_term_code"], ["roster_record.id", "roster_record.term_code"],
                ondelete="SET NULL", name=f"fk_{table}_roster_line")),
            only_on("postgresql", CheckConstraint("(roster_record_id IS NULL) = (roster_term_code IS NULL)",
                                                  name=f"ck_{table}_roster_line")))


class Zone(Base):
    """An inspection zone (片区) of a county, covered by one team."""

    __tablename__ = "zone"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(ForeignKey("area.code"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    __table_args__ = (UniqueConstraint("county_code", "name", name="uq_zone_name"),)


class ZoneTownship(Base):
    """A township's membership of a zone (a township is in at most one zone)."""

    __tablename__ = "zone_township"
    township_code: Mapped[str] = mapped_column(ForeignKey("area.code"), primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zone.id"), index=True)


class Team(Base):
    """The inspection team (控辍保学工作小组) of a zone."""

    __tablename__ = "team"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zone.id"), unique=True)
    name: Mapped[str] = mapped_column(String(50))


class TeamMember(Base):
    """A user on a team, as leader (组长) or member (成员)."""

    __tablename__ = "team_member"
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(8))  # leader | member
    __table_args__ = (CheckConstraint("role IN ('leader', 'member')", name="ck_team_role"),
                      # a user's teams (migration 0042): the users list names each user's team, an inspector's scope
                      # is their team's zone (the key leads with the team: each read scanned every membership)
                      Index("ix_team_member_user", "user_id"))


class ChecklistTemplate(Base):
    """A file-review checklist (admin-editable); visits keep the template they were made with."""

    __tablename__ = "checklist_template"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    # the area the template belongs to (None: everywhere, kept by unrestricted admins); the nearest wins
    area_code: Mapped[str | None] = mapped_column(ForeignKey("area.code"), index=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
    items: Mapped[list[ChecklistItem]] = relationship(
        back_populates="template", cascade="all, delete-orphan", order_by="ChecklistItem.position")


class ChecklistItem(Base):
    """One line of a checklist, in Chinese with an English text for English readers."""

    __tablename__ = "checklist_item"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("checklist_template.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(40))
    text_zh: Mapped[str] = mapped_column(String(300))
    text_en: Mapped[str] = mapped_column(String(300), default="")
    template: Mapped[ChecklistTemplate] = relationship(back_populates="items")
    __table_args__ = (UniqueConstraint("template_id", "code", name="uq_checklist_item_code"),)


class InspectionVisit(Base):
    """A visit of a zone's team to a township and some of its schools in one term.

    `version` grows with every saved change (optimistic locking); `edit_token` names the browser
    tab that made the last change, so a tab may go on saving while nobody else has saved.
    """

    __tablename__ = "inspection_visit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    term_code: Mapped[str] = mapped_column(ForeignKey("term.code"))
    township_code: Mapped[str] = mapped_column(ForeignKey("area.code"), index=True)
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zone.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    template_id: Mapped[int | None] = mapped_column(ForeignKey("checklist_template.id"))
    visit_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default="draft")
    version: Mapped[int] = mapped_column(Integer, default=1)
    edit_token: Mapped[str | None] = mapped_column(String(32))
    phone_seed: Mapped[int | None] = mapped_column(Integer)
    phone_sample_size: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    signed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    signed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # signed with gaps: what was undone ("file_review 10/16; head_count 31/32") and the leader's reason
    signed_gaps: Mapped[str | None] = mapped_column(Text)
    signed_reason: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'signed')", name="ck_visit_status"),
        Index("ix_visit_term_township", "term_code", "township_code"),
    )


class VisitSchool(Base):
    """A school a visit targets."""

    __tablename__ = "visit_school"
    visit_id: Mapped[int] = mapped_column(ForeignKey("inspection_visit.id"), primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), primary_key=True, index=True)


class VisitMember(Base):
    """A team member present on a visit."""

    __tablename__ = "visit_member"
    visit_id: Mapped[int] = mapped_column(ForeignKey("inspection_visit.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)


class FileReviewResult(Base):
    """File review (查阅资料): one checklist item's result on a visit — pass, fail or not applicable."""

    __tablename__ = "file_review_result"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("inspection_visit.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_item.id"))
    result: Mapped[str | None] = mapped_column(String(4))
    note: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (
        UniqueConstraint("visit_id", "item_id", name="uq_review_visit_item"),
        CheckConstraint("result IS NULL OR result IN ('pass', 'fail', 'na')", name="ck_review_result"),
    )


class HeadCount(Base):
    """Head count (清点人数) of one class: the roster's 在读 count (snapshot) and the number present."""

    __tablename__ = "head_count"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("inspection_visit.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    grade: Mapped[int] = mapped_column(Integer)
    class_name: Mapped[str] = mapped_column(String(20), default="")
    roster_count: Mapped[int] = mapped_column(Integer)
    counted_present: Mapped[int | None] = mapped_column(Integer)
    __table_args__ = (UniqueConstraint("visit_id", "school_id", "grade", "class_name", name="uq_head_count_class"),)


class HeadCountAbsence(Base):
    """An absent student of a counted class, picked from the roster, with the reason given.

    The student is the lasting link; the roster record (of the visit's term) goes to NULL if a later
    import of that term's roster removes it, so imports never fail on an inspection.
    """

    __tablename__ = "head_count_absence"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    head_count_id: Mapped[int] = mapped_column(ForeignKey("head_count.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"))
    roster_record_id: Mapped[int | None] = mapped_column(Integer)
    roster_term_code: Mapped[str | None] = mapped_column(String(7))     # the line's term (see _roster_line)
    reason: Mapped[str] = mapped_column(String(4))
    __table_args__ = (
        UniqueConstraint("head_count_id", "student_id", name="uq_absence_student"),
        *_roster_line("head_count_absence"),
        CheckConstraint("reason IN ('事假', '病假', '辍学', '转学', '不明')", name="ck_absence_reason"),
    )


class PhoneCall(Base):
    """Phone check (电话核查): one sampled roster record and the outcome of the call to its guardian
    (the student is the lasting link, as for absences)."""

    __tablename__ = "phone_call"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("inspection_visit.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"))
    roster_record_id: Mapped[int | None] = mapped_column(Integer)
    roster_term_code: Mapped[str | None] = mapped_column(String(7))     # the line's term (see _roster_line)
    position: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (
        UniqueConstraint("visit_id", "student_id", name="uq_call_student"),
        *_roster_line("phone_call"),
        CheckConstraint("outcome IS NULL OR outcome IN ('attending', 'not_attending', 'unreachable', "
                        "'wrong_number', 'no_number')", name="ck_call_outcome"),
    )


class Interview(Base):
    """Interview (个别访谈): who was interviewed (by role), what they said, the concerns raised."""

    __tablename__ = "interview"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("inspection_visit.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(Text, default="")
    concerns: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (CheckConstraint("role IN ('principal', 'teacher', 'student', 'parent', 'village_cadre', "
                                      "'township_official')", name="ck_interview_role"),)


class Finding(Base):
    """A problem found on a visit: generated from a method (`source_key` set) or entered by hand.

    Kind `false_data` (空挂学籍 ghost enrolment, 瞒报 concealed dropout) drives tier 3 in its term.
    """

    __tablename__ = "finding"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("inspection_visit.id"), index=True)
    method: Mapped[str] = mapped_column(String(12))
    kind: Mapped[str] = mapped_column(String(20))
    false_data_type: Mapped[str | None] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(8))
    township_code: Mapped[str] = mapped_column(ForeignKey("area.code"))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"))
    student_id: Mapped[int | None] = mapped_column(ForeignKey("student.id"))
    roster_record_id: Mapped[int | None] = mapped_column(Integer)
    roster_term_code: Mapped[str | None] = mapped_column(String(7))     # the line's term (see _roster_line)
    source_key: Mapped[str | None] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(300), default="")
    count: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    __table_args__ = (
        UniqueConstraint("visit_id", "source_key", name="uq_finding_source"),
        *_roster_line("finding"),
        Index("ix_finding_kind_township", "kind", "township_code"),
        CheckConstraint("method IN ('file_review', 'head_count', 'phone_check', 'interview', 'manual')",
                        name="ck_finding_method"),
        CheckConstraint("kind IN ('work_gap', 'absence', 'false_data', 'suspected_dropout', 'other')",
                        name="ck_finding_kind"),
        CheckConstraint("severity IN ('low', 'medium', 'high')", name="ck_finding_severity"),
    )


class EvidenceFile(Base):
    """An uploaded evidence file, stored under instance/evidence/ with a random name."""

    __tablename__ = "evidence_file"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("inspection_visit.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("checklist_item.id"))
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("finding.id"))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(200))
    file_type: Mapped[str] = mapped_column(String(8))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    __table_args__ = (CheckConstraint("file_type IN ('pdf', 'jpg', 'png', 'docx', 'xlsx')", name="ck_evidence_type"),)
