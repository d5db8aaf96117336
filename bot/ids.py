"""Every callback_id, action_id and block_id in one place, so builders and readers agree."""

from __future__ import annotations

import re
from enum import StrEnum

MAX_ROW_ID = 2**31 - 1  # our primary keys are 32-bit integers on Postgres
_ROW_ID = re.compile(r"[0-9]{1,10}")


def row_id(value: object) -> int:
    """A row id we put in a button value or a modal's private_metadata, read back strictly:
    ASCII digits, 1 to 2**31 - 1. ValueError for anything else (stale or forged)."""
    if not isinstance(value, str) or not _ROW_ID.fullmatch(value):
        raise ValueError(f"not a row id: {str(value)[:40]!r}")
    number = int(value)
    if not 0 < number <= MAX_ROW_ID:
        raise ValueError(f"row id out of range: {number}")
    return number


class Callback(StrEnum):
    JOIN_MODAL = "upward_join"
    PROGRAM_MODAL = "upward_program"
    GOALS_MODAL = "upward_goals"
    CHECKIN_MODAL = "upward_checkin"  # private_metadata: the check-in id
    ASSESSMENT_MODAL = "upward_assessment"  # private_metadata: the self-assessment id
    SURVEY_MODAL = "upward_survey"  # private_metadata: the outcome survey id


class Action(StrEnum):
    OPEN_JOIN = "upward_open_join"
    LEAVE_CONFIRM = "upward_leave_confirm"
    LEAVE_CANCEL = "upward_leave_cancel"
    # "Also delete my answers" on the leave question; read from the message's state when
    # Leave is clicked (its block_id is the same string).
    LEAVE_FORGET = "upward_leave_forget"
    PAUSE = "upward_pause"
    RESUME = "upward_resume"
    OPEN_GOALS = "upward_open_goals"  # value: the pair id
    MATCH_CONFIRM = "upward_match_confirm"  # value: the round id
    MATCH_DROP = "upward_match_drop"  # value: "round:mentor:mentee"
    MATCH_RERUN = "upward_match_rerun"  # value: the round id
    MATCH_CANCEL = "upward_match_cancel"  # value: the round id
    # Weekly prompt buttons; value: the pair_week id.
    PROMPT_MET = "upward_prompt_met"
    PROMPT_ASYNC = "upward_prompt_async"
    PROMPT_SKIP = "upward_prompt_skip"
    PROMPT_SNOOZE = "upward_prompt_snooze"
    PROMPT_DIFFERENT = "upward_prompt_different"
    # "Did you meet?" on a private check-in; value: the check-in id.
    CHECKIN_MET = "upward_checkin_met"
    CHECKIN_NOT_YET = "upward_checkin_not_yet"
    CHECKIN_COULDNT = "upward_checkin_couldnt"
    # A confidence self-assessment's DM; value: the self-assessment id.
    ASSESSMENT_OPEN = "upward_assessment_open"
    ASSESSMENT_SKIP = "upward_assessment_skip"
    # The questions after a program; value: the outcome survey id.
    SURVEY_OPEN = "upward_survey_open"
    SURVEY_SKIP = "upward_survey_skip"
    # The lead's dashboard in App Home.
    NUDGE_PAIR = "upward_nudge_pair"  # value: the pair id
    REPORT_CSV = "upward_report_csv"  # value: the program id
    REPORT_CHART = "upward_report_chart"  # value: the program id
    # Each input element also needs an action_id; one per join-modal field.
    FIELD = "value"


class JoinField(StrEnum):
    """block_ids of the join modal; the service reports field errors by these names."""

    ROLE = "role"
    TEACH = "teach"
    LEARN = "learn"
    DEPARTMENT = "department"
    SENIORITY = "seniority"
    WEEKDAY = "weekday"
    WINDOW = "window"
    GOALS = "goals"


class ProgramField(StrEnum):
    """block_ids of the program modal."""

    NAME = "program_name"
    START = "program_start"
    LENGTH = "program_length"
    PROMPTS = "program_prompts"
    SESSIONS = "program_sessions"
    CHECKINS = "program_checkins"
    FOCUS = "program_focus"
    CAPACITY = "program_capacity"
    REVIEW = "program_review"
    EMPHASIS = "program_emphasis"
    DEFAULT = "program_default"
    SHOUTOUT = "program_shoutout"


class GoalField(StrEnum):
    """block_ids of the goals modal: three of each kind, numbered from 1."""

    LEARNING = "goal_learning"
    GROWTH = "goal_growth"


class CheckInField(StrEnum):
    """block_ids of the check-in modal."""

    RATING = "checkin_rating"
    LEARNED = "checkin_learned"
    BLOCKERS = "checkin_blockers"
    SHARE = "checkin_share"
    CANDID = "checkin_candid"  # mentors (the juniors) only


ASSESSMENT_AREA_PREFIX = "assessment_area_"


def assessment_block_id(area: str) -> str:
    """The block_id of one area's 1-5 select in the self-assessment modal."""
    return f"{ASSESSMENT_AREA_PREFIX}{area}"


class SurveyField(StrEnum):
    """block_ids of the after-program survey modal (the signals use their question's
    name, bot.shapes.surveys.Question; a followed-up commitment adds its id)."""

    COMMITMENT = "survey_commitment_"  # + 1..3
    SHARE = "survey_share"
    PROGRESS = "survey_progress_"  # + commitment id
    EVIDENCE = "survey_evidence_"  # + commitment id
