"""What happens after someone joins or edits: their time zone, the welcome DM, App Home.

Messages go through the outbox like every other (one key per message, exactly once):
planned in the request, sent by the sender (the express lane) as soon as Slack's pace
allows, never on the request's own thread. Slack look-ups and App Home run in the
background for the same reason; App Home refreshes asked for while one is waiting are
one refresh.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import copy, outbox_keys
from bot.background import Runner
from bot.clock import Clock
from bot.db import unit_of_work
from bot.errors import UserFacingError
from bot.services.outbox.delivery import Outgoing, enqueue
from bot.services.outbox.express import Sender
from bot.services.outcomes.surveys import SurveyService
from bot.services.people.enrolment import EnrolmentService, LeaveResult, SaveResult
from bot.services.people.leads import LeadPolicy
from bot.services.reports.lead_desk import LeadDesk
from bot.shapes.enrolment import Profile
from bot.shapes.forgetting import ForgetReport
from bot.shapes.goals import PairGoals
from bot.slack.errors import SlackError
from bot.slack.workspaces import SlackWorkspaces
from bot.views.home import home_view
from bot.views.messages import Message, text_message, welcome_message
from bot.views.pairs import goals_updated_message
from bot.vocabulary import OutboxKind
from models import Person, Workspace

log = logging.getLogger(__name__)


class HomeService:
    def __init__(
        self,
        enrolment: EnrolmentService,
        slack: SlackWorkspaces,
        leads: LeadPolicy,
        *,
        sender: Sender,
        background: Runner,
        sessions: sessionmaker[Session],
        clock: Clock,
        lead_desk: LeadDesk | None = None,
        surveys: SurveyService | None = None,
    ) -> None:
        self._surveys = surveys
        self._lead_desk = lead_desk
        self._enrolment = enrolment
        self._slack = slack
        self._leads = leads
        self._sender = sender
        self._background = background
        self._sessions = sessions
        self._clock = clock
        self._homes_waiting: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def after_save(self, result: SaveResult) -> None:
        """Runs before the submission is acknowledged: plans the welcome (or "saved") DM in
        one short transaction, then leaves Slack's part to the sender and the background.
        Slack failures are logged, not raised: the person's answers are already stored."""
        profile = result.profile
        self._send_dm(profile, lambda first: self._after_save_message(result, first))
        self._background.run(
            "looking up a new member's time zone", lambda: self._remember_time_zone(profile)
        )
        self.refresh_home(profile.team_id, profile.user_id)

    def after_leave(self, result: LeaveResult) -> None:
        """Tell each former partner kindly, in the pair's group DM; refresh App Homes."""
        profile = result.profile
        for pair in result.ended_pairs:
            notice = partner_left_notice(pair, profile.user_id, self._clock.now())
            if notice is not None:
                self._send(profile.person_id, notice)
            self.refresh_home(profile.team_id, partner_of(pair, profile.user_id))
        self.refresh_home(profile.team_id, profile.user_id)

    def after_forget(self, team_id: str, report: ForgetReport) -> None:
        """After someone's data was deleted: send the notes planned for their former
        partners now (the clock would, within a tick) and refresh the App Homes."""
        if report.notices:
            self._sender.send(list(report.notices))
        for partner in report.partners:
            self.refresh_home(team_id, partner)
        self.refresh_home(team_id, report.user_id)

    def goals_changed(self, team_id: str, user_id: str, goals: PairGoals) -> None:
        """Tell the pair in their group DM and refresh both App Homes. Runs after the ack;
        the goals are already stored, so Slack failures are logged, not raised."""
        if goals.channel_id:
            message = goals_updated_message(goals, user_id)
            updated_at = goals.updated_at or self._clock.now()
            self._send(
                None,
                Outgoing(
                    key=outbox_keys.goals(goals.pair_id, updated_at),
                    kind=OutboxKind.GOALS,
                    text=message.text,
                    blocks=_dicts(message),
                    due_at=self._clock.now(),
                    channel_id=goals.channel_id,
                    pair_id=goals.pair_id,
                ),
                team_id=team_id,
            )
        for member in (goals.mentor_user, goals.mentee_user):
            self.refresh_home(team_id, member)

    def refresh_home(self, team_id: str, user_id: str) -> None:
        """Republish this person's App Home soon, in the background."""
        with self._lock:
            if (team_id, user_id) in self._homes_waiting:
                return  # the refresh already waiting will read what changed
            self._homes_waiting.add((team_id, user_id))
        self._background.run("refreshing App Home", lambda: self._publish_home(team_id, user_id))

    def _publish_home(self, team_id: str, user_id: str) -> None:
        with self._lock:
            # Before reading: a change made after this read asks for a refresh of its own.
            self._homes_waiting.discard((team_id, user_id))
        profile = self._enrolment.profile(team_id, user_id)
        counts, dashboard, files = None, None, []
        # Only leads see anyone else's numbers; everyone else sees their own profile.
        if self._leads.is_lead(team_id, user_id):
            counts = self._enrolment.counts(team_id)
            if self._lead_desk is not None:
                # Nobody has joined this workspace yet: no dashboard to show.
                with contextlib.suppress(UserFacingError):
                    dashboard, files = self._lead_desk.dashboard(team_id, user_id)
        commitments = self._surveys.commitments_for_home(team_id, user_id) if self._surveys else ()
        view = home_view(profile, counts, dashboard, files, commitments)
        try:
            self._slack.for_team(team_id).publish_home(user_id, view)
        except SlackError as error:
            log.warning("views.publish failed: %s", error.code)

    def _remember_time_zone(self, profile: Profile) -> None:
        try:
            user = self._slack.for_team(profile.team_id).user(profile.user_id)
        except SlackError as error:
            log.warning("users.info failed: %s", error.code)
            return
        self._enrolment.record_slack_details(profile.team_id, profile.user_id, tz=user.tz)

    def _after_save_message(self, result: SaveResult, first: bool) -> tuple[Message, str]:
        profile = result.profile
        if first:
            return welcome_message(profile), outbox_keys.welcome(profile.person_id)
        text = copy.WELCOME_BACK if result.rejoined else copy.UPDATED_DM
        return text_message(text), outbox_keys.saved(profile.person_id, self._clock.now())

    def _send_dm(self, profile: Profile, compose: Callable[[bool], tuple[Message, str]]) -> None:
        """A DM to the person, told apart by whether they were ever welcomed: marking the
        welcome and planning it are one transaction, so a crash cannot lose it. The
        outbox opens their DM once and keeps its id."""
        now = self._clock.now()
        with unit_of_work(self._sessions) as session:
            person = session.get_one(Person, profile.person_id)
            first = person.welcomed_at is None
            person.welcomed_at = person.welcomed_at or now
            message, key = compose(first)
            enqueue(
                session,
                person.workspace_id,
                Outgoing(
                    key=key,
                    kind=OutboxKind.DM,
                    text=message.text,
                    blocks=_dicts(message),
                    due_at=now,
                    user_id=profile.user_id,
                    person_id=profile.person_id,
                ),
                now,
            )
        self._sender.send([key])

    def _send(self, person_id: int | None, message: Outgoing, team_id: str | None = None) -> None:
        """Plan one message and hand it to the sender. If Slack is slow or down, the outbox
        keeps it and the clock sends it later; a failure for good reaches the leads."""
        with unit_of_work(self._sessions) as session:
            if person_id is not None:
                workspace_id = session.get_one(Person, person_id).workspace_id
            else:
                workspace_id = session.scalars(
                    select(Workspace.id).where(Workspace.slack_team_id == team_id)
                ).one()
            enqueue(session, workspace_id, message, self._clock.now())
        self._sender.send([message.key])


def partner_of(pair: PairGoals, user_id: str) -> str:
    return pair.mentee_user if user_id == pair.mentor_user else pair.mentor_user


def partner_left_notice(
    pair: PairGoals, leaver: str, now: datetime, named: bool = True
) -> Outgoing | None:
    """The note in an ended pair's group DM telling the one who stayed (None: the pair
    never had a group DM). ``named=False`` leaves the leaver's name out of it: they asked
    for their data to be deleted, and the note waits in the outbox for a while."""
    if not pair.channel_id:
        return None
    partner = partner_of(pair, leaver)
    text = (
        copy.PARTNER_LEFT.format(user=leaver, partner=partner)
        if named
        else copy.PARTNER_LEFT_UNNAMED.format(partner=partner)
    )
    # No pair_id: the pair has ended, and this note is about exactly that.
    return Outgoing(
        key=outbox_keys.partner_left(pair.pair_id),
        kind=OutboxKind.PARTNER_LEFT,
        text=text,
        blocks=_dicts(text_message(text)),
        due_at=now,
        channel_id=pair.channel_id,
    )


def _dicts(message: Message) -> list[dict[str, Any]]:
    return [block.to_dict() for block in message.blocks]
