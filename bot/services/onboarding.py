"""What happens after someone joins or edits: their time zone, the welcome DM, App Home."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot import copy
from bot.gateway import SlackGateway
from bot.services.enrolment import EnrolmentService, LeaveResult, Profile, SaveResult
from bot.services.goals import PairGoals
from bot.services.leads import LeadPolicy
from bot.views.home import home_view
from bot.views.messages import Message, text_message, welcome_message
from bot.views.pairs import goals_updated_message

log = logging.getLogger(__name__)


class OnboardingService:
    def __init__(
        self, enrolment: EnrolmentService, gateway: SlackGateway, leads: LeadPolicy
    ) -> None:
        self._enrolment = enrolment
        self._gateway = gateway
        self._leads = leads

    def after_save(self, result: SaveResult) -> None:
        """Runs after the submission is acknowledged; Slack failures are logged, not raised,
        because the person's answers are already safely stored."""
        profile = result.profile
        self._remember_time_zone(profile)
        if self._enrolment.claim_welcome(profile.team_id, profile.user_id):
            if not self._send_dm(profile, welcome_message(profile)):
                # Let the next save try again rather than never welcoming them.
                self._enrolment.release_welcome(profile.team_id, profile.user_id)
        else:
            text = copy.WELCOME_BACK if result.rejoined else copy.UPDATED_DM
            self._send_dm(profile, text_message(text))
        self.refresh_home(profile.team_id, profile.user_id)

    def after_leave(self, result: LeaveResult) -> None:
        """Tell each former partner kindly, in the pair's group DM; refresh App Homes."""
        profile = result.profile
        for pair in result.ended_pairs:
            partner = pair.mentee_user if profile.user_id == pair.mentor_user else pair.mentor_user
            if pair.channel_id:
                text = copy.PARTNER_LEFT.format(user=profile.user_id, partner=partner)
                try:
                    self._gateway.post_message(pair.channel_id, text, text_message(text).blocks)
                except SlackApiError as error:
                    log.warning("could not tell a partner: %s", error.response.get("error"))
            self.refresh_home(profile.team_id, partner)
        self.refresh_home(profile.team_id, profile.user_id)

    def goals_changed(self, team_id: str, user_id: str, goals: PairGoals) -> None:
        """Tell the pair in their group DM and refresh both App Homes. Runs after the ack;
        the goals are already stored, so Slack failures are logged, not raised."""
        if goals.channel_id:
            message = goals_updated_message(goals, user_id)
            try:
                self._gateway.post_message(goals.channel_id, message.text, message.blocks)
            except SlackApiError as error:
                log.warning("could not post a goals update: %s", error.response.get("error"))
        for member in (goals.mentor_user, goals.mentee_user):
            self.refresh_home(team_id, member)

    def refresh_home(self, team_id: str, user_id: str) -> None:
        profile = self._enrolment.profile(team_id, user_id)
        counts = self._enrolment.counts(team_id) if self._leads.is_lead(user_id) else None
        try:
            self._gateway.publish_home(user_id, home_view(profile, counts))
        except SlackApiError as error:
            log.warning("views.publish failed: %s", error.response.get("error"))

    def _remember_time_zone(self, profile: Profile) -> None:
        try:
            user = self._gateway.user(profile.user_id)
        except SlackApiError as error:
            log.warning("users.info failed: %s", error.response.get("error"))
            return
        self._enrolment.record_slack_details(profile.team_id, profile.user_id, tz=user.tz)

    def _send_dm(self, profile: Profile, message: Message) -> bool:
        try:
            channel = profile.dm_channel_id
            if channel is None:
                channel = self._gateway.open_dm(profile.user_id)
                self._enrolment.record_slack_details(
                    profile.team_id, profile.user_id, dm_channel_id=channel
                )
            self._gateway.post_message(channel, message.text, message.blocks)
        except SlackApiError as error:
            log.warning("could not DM a participant: %s", error.response.get("error"))
            return False
        return True
