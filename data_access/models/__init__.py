"""SQLAlchemy 2.0 typed models, one module per concept; every table is re-exported here so that
`from data_access.models import School` works and Alembic and create_all see all of them."""
from data_access.models.analytics import RosterAggregate, SchoolAgeLine, UnitCounts
from data_access.models.areas import AREA_LEVELS, SCHOOL_TYPES, Area, Boundary, School, SchoolMove, Term, TermCalendar
from data_access.models.base import Base
from data_access.models.cases import CaseAttempt, CaseEvent, DropoutCase
from data_access.models.duties import DutyReport, ReportingDuty, ScheduledDraft
from data_access.models.inspection import (ChecklistItem, ChecklistTemplate, EvidenceFile, FileReviewResult, Finding,
                                           HeadCount, HeadCountAbsence, InspectionVisit, Interview, PhoneCall, Team,
                                           TeamMember, VisitMember, VisitSchool, Zone, ZoneTownship)
from data_access.models.documents import DocumentSequence, DocumentSettings, IssuedDocument
from data_access.models.imports import ImportRecord, ImportReplacedRecord, ImportReplacedStudent
from data_access.models.population import EnrollmentHistory, Population
from data_access.models.poverty import PovertyMember
from data_access.models.publications import AccountabilityRecord, PeriodPublication, PublishedUnitCounts
from data_access.models.rectification import OrderEvent, OrderEvidence, RectificationOrder
from data_access.models.roster import DISABILITIES, STATUSES, RosterRecord, Student
from data_access.models.targets import Target, TargetPolicy
from data_access.models.users import ROLES, AuditLog, User
from data_access.models.warning import (SUPPORT_KINDS, AbsenceReport, RiskModel, RiskRefresh, RiskScore, RiskSetting,
                                      SupportAction)
# the enumerations the CHECK constraints use are defined once, in the domain rules
from domain.cases.rules import (ATTEMPT_METHODS, CASE_REASONS, CASE_SOURCES, LEDGERS as CASE_LEDGERS,
                                OUTCOMES as CASE_OUTCOMES, SPECIAL_GROUPS, STATUSES as CASE_STATUSES)
from domain.rectification.rules import STATUSES as ORDER_STATUSES

__all__ = [
    "AREA_LEVELS", "ATTEMPT_METHODS", "AbsenceReport", "RiskModel", "RiskRefresh", "RiskScore", "RiskSetting", "SUPPORT_KINDS", "SupportAction", "AccountabilityRecord", "AuditLog", "Area", "Base", "Boundary", "CASE_LEDGERS", "CASE_OUTCOMES",
    "CASE_REASONS", "CASE_SOURCES", "CASE_STATUSES", "CaseAttempt", "CaseEvent", "ChecklistItem",
    "ChecklistTemplate", "DISABILITIES", "DocumentSequence", "DocumentSettings", "DropoutCase", "DutyReport",
    "EnrollmentHistory", "EvidenceFile", "FileReviewResult", "Finding", "HeadCount", "HeadCountAbsence", "ImportRecord", "ImportReplacedRecord",
    "ImportReplacedStudent",
    "InspectionVisit", "Interview", "IssuedDocument", "ORDER_STATUSES", "OrderEvent",
    "OrderEvidence", "PeriodPublication", "PhoneCall", "Population", "PovertyMember", "PublishedUnitCounts", "ROLES",
    "RectificationOrder", "ReportingDuty", "ScheduledDraft", "RosterAggregate", "RosterRecord", "SchoolAgeLine",
    "SCHOOL_TYPES", "SPECIAL_GROUPS", "STATUSES", "School", "SchoolMove", "Student", "Target", "TargetPolicy", "Team", "TeamMember", "Term", "TermCalendar",
    "UnitCounts", "User", "VisitMember", "VisitSchool", "Zone", "ZoneTownship",
]
