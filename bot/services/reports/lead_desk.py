"""Everything only a program lead may do: programs, match rounds, the report and its
files, nudges for pairs at risk.

Every entry point takes the lead's Slack id and starts with the one lead check
(``LeadPolicy.require``), so no handler checks it, and none can forget to. The methods
stay inside the lead's own workspace, so a button value from another team finds nothing.
Scheduled rounds (the program's start date) are the system's and go to PairingService
directly.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot import copy, outbox_keys
from bot.clock import Clock
from bot.db import unit_of_work
from bot.errors import UserFacingError
from bot.mrkdwn import escape
from bot.services.matching.rounds import PairingService
from bot.services.outbox.delivery import Outgoing, enqueue
from bot.services.outbox.dm_channels import DmChannels
from bot.services.outbox.express import Sender
from bot.services.people.leads import LeadPolicy
from bot.services.programs.settings import ProgramService
from bot.services.reports.chart_process import ChartProcess
from bot.services.reports.report import ReportService
from bot.shapes.matching import ConfirmResult, RoundPreview
from bot.shapes.programs import NEW_PROGRAM, ProgramSettings, ProgramSubmission
from bot.shapes.report import FileKind, Report, ReportFile
from bot.slack.workspaces import SlackWorkspaces
from bot.views.report_files import outcomes_csv, report_csv
from bot.vocabulary import OutboxKind
from models import Pair, PairStatus, Program, ReportFileRecord, Workspace

log = logging.getLogger(__name__)

FILES_KEPT = 3  # latest files per lead and kind that App Home links to


@dataclass(frozen=True)
class Nudged:
    pair_id: int
    sent: bool  # False: already nudged today, nothing new planned


class LeadDesk:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        reports: ReportService,
        slack: SlackWorkspaces,
        sender: Sender,
        *,
        dms: DmChannels,
        leads: LeadPolicy,
        programs: ProgramService,
        pairing: PairingService,
        charts: ChartProcess | None = None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._reports = reports
        self._slack = slack
        self._sender = sender
        self._dms = dms
        self._leads = leads
        self._programs = programs
        self._pairing = pairing
        self._charts = charts or ChartProcess()

    # --- programs ----------------------------------------------------------------------

    def program(
        self, team_id: str, lead_id: str, name: str | None, command: str
    ) -> ProgramSettings:
        """The named (or default) program, for `command`: a typo is answered at once."""
        self._leads.require(team_id, lead_id, command)
        return self._programs.find(team_id, name)

    def program_to_edit(self, team_id: str, lead_id: str, name: str) -> ProgramSettings:
        """`/mentor program [name|new]`: what the program modal opens with."""
        self._leads.require(team_id, lead_id, "program")
        if name.strip().lower() == "new":
            return NEW_PROGRAM
        return self._programs.find(team_id, name.strip())

    def save_program(
        self, team_id: str, lead_id: str, program_id: int | None, submission: ProgramSubmission
    ) -> ProgramSettings:
        self._leads.require(team_id, lead_id, "program")
        return self._programs.save(team_id, lead_id, program_id, submission)

    # --- match rounds ------------------------------------------------------------------

    def preview_round(self, team_id: str, lead_id: str, program: str | None) -> RoundPreview:
        self._leads.require(team_id, lead_id, "match")
        return self._pairing.preview(team_id, lead_id, program)

    def confirm_round(self, team_id: str, lead_id: str, round_id: int) -> ConfirmResult:
        self._leads.require(team_id, lead_id, "match")
        return self._pairing.confirm(team_id, lead_id, round_id)

    def drop_pair(
        self, team_id: str, lead_id: str, round_id: int, mentor_id: int, mentee_id: int
    ) -> RoundPreview:
        self._leads.require(team_id, lead_id, "match")
        return self._pairing.drop(team_id, round_id, mentor_id, mentee_id)

    def rerun_round(self, team_id: str, lead_id: str, round_id: int) -> RoundPreview:
        self._leads.require(team_id, lead_id, "match")
        return self._pairing.rerun(team_id, round_id)

    def cancel_round(self, team_id: str, lead_id: str, round_id: int) -> str:
        self._leads.require(team_id, lead_id, "match")
        return self._pairing.cancel(team_id, round_id)

    # --- the report ----------------------------------------------------------------------

    def report(self, team_id: str, lead_id: str, program: str | None) -> Report:
        self._leads.require(team_id, lead_id, "report")
        return self._reports.build(team_id, program)

    def dashboard(self, team_id: str, lead_id: str) -> tuple[Report, list[ReportFile]]:
        """The default program's report and the files this lead was sent lately."""
        self._leads.require(team_id, lead_id, "report")
        return self._reports.build(team_id, None), self.latest_files(team_id, lead_id)

    # --- files -------------------------------------------------------------------------

    def send_file(
        self,
        team_id: str,
        lead_id: str,
        kind: FileKind,
        *,
        program: str | None = None,
        program_id: int | None = None,
    ) -> list[ReportFile]:
        """Render the CSV or the chart and upload it to the lead's DM with Upward. With
        the CSV comes the outcomes CSV (one row per measure), once anyone has been asked
        about outcomes. Returns what was sent, the people CSV or the chart first."""
        self._leads.require(team_id, lead_id, "report")
        report = self._reports.build(
            team_id, program, detail=kind == FileKind.CSV, program_id=program_id
        )
        stamp = report.generated_at.strftime("%Y-%m-%d")
        slug = "".join(c if c.isalnum() else "-" for c in report.program_name.lower()).strip("-")
        name = f"upward-{slug or 'program'}-{stamp}"
        if kind == FileKind.CSV:
            content, filename = report_csv(report), f"{name}.csv"
            title = copy.REPORT_CSV_TITLE.format(program=report.program_name, date=stamp)
        else:
            # Drawn by a child process: matplotlib would stay in this one's memory for good.
            content, filename = self._charts.png(report), f"{name}.png"
            title = copy.REPORT_CHART_TITLE.format(program=report.program_name, date=stamp)
        comment = copy.REPORT_FILE_COMMENT[kind].format(program=escape(report.program_name))
        sent = [self._upload(team_id, lead_id, report, kind, (filename, content, title, comment))]
        if kind == FileKind.CSV and report.outcomes.asked:
            outcomes = self._upload(
                team_id,
                lead_id,
                report,
                kind,
                (
                    f"{name}-outcomes.csv",
                    outcomes_csv(report),
                    copy.REPORT_OUTCOMES_CSV_TITLE.format(program=report.program_name, date=stamp),
                    copy.REPORT_OUTCOMES_CSV_COMMENT.format(program=escape(report.program_name)),
                ),
            )
            sent.append(outcomes)
        return sent

    def _upload(
        self,
        team_id: str,
        lead_id: str,
        report: Report,
        kind: FileKind,
        file: tuple[str, bytes, str, str],
    ) -> ReportFile:
        filename, content, title, comment = file
        uploaded = self._dms.using(
            lead_id,
            lambda channel: self._slack.for_team(team_id).upload_file(
                channel, filename, content, title, comment
            ),
            team_id=team_id,
        )
        now = self._clock.now()
        with unit_of_work(self._sessions) as session:
            session.add(
                ReportFileRecord(
                    workspace_id=_workspace_id(session, team_id),
                    program_id=report.program_id,
                    user_id=lead_id,
                    kind=kind,
                    file_id=uploaded.id,
                    title=title,
                    permalink=uploaded.permalink,
                    created_at=now,
                )
            )
        return ReportFile(kind, title, uploaded.permalink, now)

    def latest_files(self, team_id: str, lead_id: str) -> list[ReportFile]:
        with self._sessions() as session:
            rows = session.scalars(
                select(ReportFileRecord)
                .join(Workspace, ReportFileRecord.workspace_id == Workspace.id)
                .where(Workspace.slack_team_id == team_id, ReportFileRecord.user_id == lead_id)
                .order_by(ReportFileRecord.created_at.desc(), ReportFileRecord.id.desc())
                .limit(FILES_KEPT * len(FileKind))
            ).all()
            return [ReportFile(FileKind(r.kind), r.title, r.permalink, r.created_at) for r in rows]

    # --- nudges --------------------------------------------------------------------------

    def nudge(self, team_id: str, lead_id: str, pair_id: int) -> Nudged:
        """A friendly word from the lead in the pair's group DM, at most once a day;
        planned here, posted by the sender."""
        self._leads.require(team_id, lead_id, "report")
        now = self._clock.now()
        key = outbox_keys.lead_nudge(pair_id, now.date())
        with unit_of_work(self._sessions) as session:
            pair = _active_pair(session, team_id, pair_id)
            sent = enqueue(
                session,
                pair.mentor.workspace_id,
                Outgoing(
                    key=key,
                    kind=OutboxKind.LEAD_NUDGE,
                    text=copy.LEAD_NUDGE.format(
                        mentor=pair.mentor.slack_user_id,
                        mentee=pair.mentee.slack_user_id,
                        lead=lead_id,
                    ),
                    due_at=now,
                    channel_id=pair.channel_id,
                    pair_id=pair.id,
                ),
                now,
            )
            session.execute(
                update(Pair)
                .where(Pair.id == pair.id)
                .values(lead_nudged_at=now)
                .execution_options(synchronize_session=False)
            )
        self._sender.send([key])
        return Nudged(pair_id, bool(sent))


def _workspace_id(session: Session, team_id: str) -> int:
    return session.scalars(select(Workspace.id).where(Workspace.slack_team_id == team_id)).one()


def _active_pair(session: Session, team_id: str, pair_id: int) -> Pair:
    pair = session.scalars(
        select(Pair)
        .join(Program, Pair.program_id == Program.id)
        .join(Workspace, Program.workspace_id == Workspace.id)
        .where(Pair.id == pair_id, Workspace.slack_team_id == team_id)
    ).one_or_none()
    if pair is None or pair.status != PairStatus.ACTIVE:
        raise UserFacingError(copy.LEAD_NUDGE_GONE)
    if pair.channel_id is None:
        raise UserFacingError(copy.LEAD_NUDGE_NOT_INTRODUCED)
    return pair
