"""SQLAlchemy models. Importing this package registers every table on Base.metadata."""

from models.assessment import SelfAssessment, SelfAssessmentScore
from models.base import Base, UTCDateTime
from models.checkin import CheckIn
from models.directory import DirectoryEntry
from models.enums import (
    AssessmentPhase,
    CommitmentStatus,
    LeadershipBehaviour,
    OutboxStatus,
    OutcomeCheckpoint,
    PairStatus,
    PersonStatus,
    Role,
    RoundStatus,
    Seniority,
    Signal,
    SkillDirection,
)
from models.installations import bots, installations, oauth_states
from models.match_round import MatchProposal, MatchRound, MatchWaiting
from models.outbox import OutboundMessage
from models.outcome import Commitment, CommitmentProgress, OutcomeSurvey
from models.pair import Pair
from models.pair_week import PairWeek
from models.person import MENTEE, MENTOR, Person, PersonSkill
from models.program import DEFAULT_PROGRAM_NAME, Program, ProgramFocusSkill
from models.replicas import Heartbeat, PostPace, SeenEvent, SlackPause
from models.report_file import ReportFileRecord
from models.skill import Skill
from models.workspace import Workspace

__all__ = [
    "DEFAULT_PROGRAM_NAME",
    "MENTEE",
    "MENTOR",
    "AssessmentPhase",
    "Base",
    "CheckIn",
    "Commitment",
    "CommitmentProgress",
    "CommitmentStatus",
    "DirectoryEntry",
    "Heartbeat",
    "LeadershipBehaviour",
    "MatchProposal",
    "MatchRound",
    "MatchWaiting",
    "OutboundMessage",
    "OutboxStatus",
    "OutcomeCheckpoint",
    "OutcomeSurvey",
    "Pair",
    "PairStatus",
    "PairWeek",
    "Person",
    "PersonSkill",
    "PersonStatus",
    "PostPace",
    "Program",
    "ProgramFocusSkill",
    "ReportFileRecord",
    "Role",
    "RoundStatus",
    "SeenEvent",
    "SelfAssessment",
    "SelfAssessmentScore",
    "Seniority",
    "Signal",
    "Skill",
    "SkillDirection",
    "SlackPause",
    "UTCDateTime",
    "Workspace",
    "bots",
    "installations",
    "oauth_states",
]
