"""SQLAlchemy models. Importing this package registers every table on Base.metadata."""

from models.base import Base, UTCDateTime
from models.enums import PersonStatus, Role, Seniority, SkillDirection
from models.person import Person, PersonSkill
from models.program import DEFAULT_PROGRAM_NAME, Program
from models.skill import Skill
from models.workspace import Workspace

__all__ = [
    "DEFAULT_PROGRAM_NAME",
    "Base",
    "Person",
    "PersonSkill",
    "PersonStatus",
    "Program",
    "Role",
    "Seniority",
    "Skill",
    "SkillDirection",
    "UTCDateTime",
    "Workspace",
]
