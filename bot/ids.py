"""Every callback_id, action_id and block_id in one place, so builders and readers agree."""

from __future__ import annotations

from enum import StrEnum


class Callback(StrEnum):
    JOIN_MODAL = "upward_join"


class Action(StrEnum):
    OPEN_JOIN = "upward_open_join"
    LEAVE_CONFIRM = "upward_leave_confirm"
    LEAVE_CANCEL = "upward_leave_cancel"
    PAUSE = "upward_pause"
    RESUME = "upward_resume"
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
