"""The App Home tab."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DividerBlock,
    HeaderBlock,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot import copy
from bot.ids import Action
from bot.shapes.enrolment import Profile, ProgramCounts
from bot.shapes.report import Report, ReportFile
from bot.shapes.surveys import PartnerCommitments
from bot.views.dashboard import dashboard_blocks
from bot.views.messages import profile_blocks
from bot.views.surveys import commitments_home_blocks
from models.enums import PersonStatus


def home_view(
    profile: Profile | None,
    lead_counts: ProgramCounts | None,
    dashboard: Report | None = None,
    files: Sequence[ReportFile] = (),
    commitments: Sequence[PartnerCommitments] = (),
) -> View:
    """The person's own status and a Join / Edit button; for leads, the head counts and
    the program dashboard (headline numbers, pairs at risk to nudge, the report files).
    A senior's commitments show to them and to their junior mentor."""
    blocks: list[Block] = [HeaderBlock(text=copy.HOME_HEADER_PLAIN)]
    if profile is None or profile.status == PersonStatus.LEFT:
        blocks += [
            SectionBlock(text=copy.HOME_NOT_JOINED),
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text=copy.HOME_JOIN_PLAIN,
                        action_id=Action.OPEN_JOIN,
                        value="join",
                        style="primary",
                    )
                ]
            ),
        ]
    else:
        toggle = (
            ButtonElement(text=copy.HOME_RESUME_PLAIN, action_id=Action.RESUME, value="resume")
            if profile.status == PersonStatus.PAUSED
            else ButtonElement(text=copy.HOME_PAUSE_PLAIN, action_id=Action.PAUSE, value="pause")
        )
        blocks += [
            SectionBlock(text=copy.STATUS_HEADING),
            *profile_blocks(profile),
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text=copy.HOME_EDIT_PLAIN, action_id=Action.OPEN_JOIN, value="edit"
                    ),
                    toggle,
                ]
            ),
        ]
    if commitments:
        blocks += [DividerBlock(), *commitments_home_blocks(commitments)]
    if lead_counts is not None:
        blocks += [
            DividerBlock(),
            HeaderBlock(text=copy.HOME_LEAD_HEADER_PLAIN),
            SectionBlock(
                text=copy.HOME_LEAD_COUNTS.format(
                    mentors=lead_counts.mentors,
                    mentees=lead_counts.mentees,
                    paused=lead_counts.paused,
                    left=lead_counts.left,
                    pairs=lead_counts.active_pairs,
                )
            ),
            SectionBlock(text=copy.HOME_LEAD_NEXT),
        ]
        if dashboard is not None:
            blocks += dashboard_blocks(dashboard, files)
    return View(type="home", blocks=blocks)
