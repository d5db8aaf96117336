"""`python -m bot <command>`: operations from the shell, with the app's own code."""

from __future__ import annotations

import argparse
import os
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, inspect
from sqlalchemy.exc import OperationalError
from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from bot.clock import FixedClock, SystemClock
from bot.config import (
    DEFAULT_DATABASE_URL,
    Settings,
    SettingsError,
    load_settings,
    normalize_database_url,
    redact_url,
)
from bot.db import make_engine, make_session_factory, migrate
from bot.errors import UserFacingError
from bot.logs import configure_logging
from bot.people_csv import CsvFileError, ParsedFile, parse_people_csv
from bot.services.people.directory import (
    DirectoryImportService,
    ImportReport,
    ImportStoppedError,
    SlackUserDirectory,
)
from bot.services.people.forgetting import ForgettingService
from bot.slack.errors import SlackError, WorkspaceGoneError
from bot.slack.gateway import SlackGateway
from bot.slack.workspaces import InstalledTokens
from bot.views.report_files import outcomes_csv, report_csv, report_json, report_markdown
from bot.words import counted

EXIT_CONFIG = 2
EXIT_SOME_ROWS_BAD = 1
EXIT_NOT_FOUND = 1


class CommandError(Exception):
    """The command cannot run (unreadable file, database not migrated): one line, exit 2."""


class NotFoundError(Exception):
    """What the command was asked about is not in the database (or no longer): exit 1."""


def _database_url() -> str:
    return normalize_database_url(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)


def _gateway_for_import(settings: Settings, engine: Engine, team: str | None) -> SlackGateway:
    """The one token's gateway, or with many workspaces the named one's installation."""
    if settings.bot_token is not None:
        gateway = SlackGateway(settings.bot_token, settings.api_url)
        try:
            other = bool(team) and gateway.identity().team_id != team
        except SlackError as error:
            raise CommandError(
                f"Slack did not say whose SLACK_BOT_TOKEN it is: {error.code}"
            ) from None
        if other:
            raise CommandError(f"SLACK_BOT_TOKEN belongs to another workspace than {team}.")
        return gateway
    if not team:
        raise CommandError("with SLACK_CLIENT_ID (many workspaces), say which: --team T…")
    assert settings.client_id is not None
    tokens = InstalledTokens(make_session_factory(engine), settings.client_id)
    try:
        return SlackGateway(tokens.bot_token(team), settings.api_url)
    except WorkspaceGoneError:
        raise CommandError(f"Upward is not installed in {team}: install it first.") from None


def cmd_migrate(args: argparse.Namespace) -> int:
    url = _database_url()
    migrate(url, args.revision)
    print(f"database at {redact_url(url)} is at revision {args.revision}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    settings = load_settings(serving=False)  # the CLI talks to Slack, never hears from it
    parsed = _read_people(args.file)
    url = settings.database_url
    engine = make_engine(url)
    try:
        _require_table(engine, url, "directory_entry")
        service = DirectoryImportService(
            make_session_factory(engine),
            SystemClock(),
            SlackUserDirectory(_gateway_for_import(settings, engine, args.team), args.team),
        )
        # tqdm redraws in place on a terminal and writes occasional lines to a pipe or log;
        # log lines (a retried 429, say) print above the bar instead of through it.
        with (
            logging_redirect_tqdm(),
            tqdm(
                total=len(parsed.rows),
                desc="checking" if args.dry_run else "importing",
                unit="row",
                file=sys.stderr,
                mininterval=0.5,
            ) as bar,
        ):
            try:
                report = service.import_people(parsed, args.dry_run, progress=bar.update)
            except ImportStoppedError as error:
                raise CommandError(str(error)) from error
    finally:
        engine.dispose()
    print_report(report, args.dry_run)
    return EXIT_SOME_ROWS_BAD if report.bad else 0


def _require_table(engine: Engine, url: str, table: str) -> None:
    """Fail with one line, not a traceback, when the database is unreachable or empty."""
    try:
        migrated = inspect(engine).has_table(table)
    except OperationalError as error:
        raise CommandError(
            f"cannot reach the database at {redact_url(url)}: {str(error.orig).splitlines()[0]}"
        ) from None
    if not migrated:
        raise CommandError(
            f"the database at {redact_url(url)} is not migrated; run `python -m bot migrate` first"
        )


def _read_people(path: str) -> ParsedFile:
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        line = error.object[: error.start].count(b"\n") + 1
        raise CommandError(
            f'{path} is not UTF-8 text (line {line}); save it as "CSV UTF-8" and try again'
        ) from None
    try:
        return parse_people_csv(text)
    except CsvFileError as error:
        raise CommandError(f"{path}: {error}") from None


def print_report(report: ImportReport, dry_run: bool) -> None:
    """Bad rows and warnings in line order, then one summary line, on stdout."""
    issues = [(issue.line, issue.message) for issue in report.bad]
    issues += [(issue.line, f"warning: {issue.message}") for issue in report.warnings]
    for line, message in sorted(issues, key=lambda issue: issue[0]):
        print(f"line {line}: {message}")
    verb = "would import" if dry_run else "imported"
    print(
        f"{report.total} rows: {report.imported} {verb} "
        f"({report.participants_updated} participants updated), {report.skipped} skipped"
    )


def cmd_run_due(args: argparse.Namespace) -> int:
    """Everything due at an instant, with the scheduler tick's own code, then exit."""
    settings = load_settings(serving=False)
    now = _instant(args.at) if args.at else datetime.now(UTC)
    from bot.container import build_services  # noqa: PLC0415 - the services only when needed

    services = build_services(settings, FixedClock(now))
    try:
        report = services.due.run_due(now)
    finally:
        services.close()
        services.engine.dispose()
    delivery = report.delivery
    print(
        f"run-due at {now.isoformat()}: {report.prompts.planned} prompts, "
        f"{report.checkins} check-ins, {report.reminders} reminders and "
        f"{report.lifecycle} lifecycle messages planned; "
        f"{delivery.sent} sent, {delivery.found_already_sent} already sent, "
        f"{delivery.rescheduled} to retry, {delivery.failed} failed, "
        f"{delivery.cancelled} cancelled"
    )
    return 0


_TEAM_ID = re.compile(r"T[A-Z0-9]{2,31}")
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,31}")


def _slack_id(value: str, pattern: re.Pattern[str], what: str, example: str) -> str:
    if not pattern.fullmatch(value):
        raise CommandError(f"{value!r} is not a Slack {what} id (like {example})")
    return value


def _forgetting(url: str) -> tuple[Engine, ForgettingService]:
    """Deleting needs the database alone: no Slack token, nothing posted from here."""
    engine = make_engine(url)
    _require_table(engine, url, "person")
    return engine, ForgettingService(make_session_factory(engine), SystemClock())


def _confirm(question: str, yes: bool) -> bool:
    """--yes, or a person at a terminal who answers y; a script without --yes is refused."""
    if yes:
        return True
    if not sys.stdin.isatty():
        raise CommandError("nothing deleted: not asking without a terminal; pass --yes to confirm")
    answer = input(f"{question} [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def cmd_forget_workspace(args: argparse.Namespace) -> int:
    team = _slack_id(args.team_id, _TEAM_ID, "workspace (team)", "T0123ABC")
    url = _database_url()
    engine, service = _forgetting(url)
    try:
        if not service.workspace_exists(team):
            raise NotFoundError(f"no workspace {team} in the database at {redact_url(url)}")
        if not _confirm(f"Delete every piece of data of workspace {team}?", args.yes):
            print("nothing deleted")
            return EXIT_NOT_FOUND
        report = service.forget_workspace(team)
    finally:
        engine.dispose()
    print(f"workspace {team}: {report.summary()}")
    return 0


def cmd_forget_user(args: argparse.Namespace) -> int:
    user = _slack_id(args.user_id, _USER_ID, "user", "U0123ABC")
    team = _slack_id(args.team, _TEAM_ID, "workspace (team)", "T0123ABC") if args.team else None
    url = _database_url()
    engine, service = _forgetting(url)
    try:
        teams = service.teams_of(user)
        if team is None and len(teams) > 1:
            listed = ", ".join(teams)
            raise CommandError(f"{user} is in {len(teams)} workspaces ({listed}); pass --team")
        if team is None and teams:
            team = teams[0]
        if team is not None and not service.workspace_exists(team):
            raise NotFoundError(f"no workspace {team} in the database at {redact_url(url)}")
        if team is None or team not in teams:
            where = f"in {team}" if team else "in any workspace"
            raise NotFoundError(f"no data for {user} {where} (never joined, or already deleted)")
        question = (
            f"Delete what {user} wrote in {team} (answers, goals, skills, surveys) and end "
            "their participation?"
        )
        if not _confirm(question, args.yes):
            print("nothing deleted")
            return EXIT_NOT_FOUND
        report = service.forget_person(team, user)
    finally:
        engine.dispose()
    line = f"{user} in {team}: {report.summary()}"
    if report.notices:
        told = counted(len(report.notices), "former partner")
        line += f"; {told} will be told in Slack by the app's next tick"
    print(line)
    return 0


REPORT_FORMATS = {
    # detail: whether the report needs one row per person (only the CSV has them)
    "md": (report_markdown, False),
    "csv": (report_csv, True),
    "json": (report_json, False),
    "outcomes": (outcomes_csv, False),
}


def cmd_report(args: argparse.Namespace) -> int:
    """A program's report from the database alone: no Slack token, nothing posted."""
    # Imported here so `migrate`, `import` and `run-due` do not load the report code.
    from bot.services.reports.report import ReportService  # noqa: PLC0415

    render, detail = REPORT_FORMATS[args.format]
    url = _database_url()
    engine = make_engine(url)
    try:
        _require_table(engine, url, "program")
        service = ReportService(make_session_factory(engine), SystemClock())
        report = service.build(args.team, args.program, detail=detail)
    finally:
        engine.dispose()
    output = render(report)
    data = output if isinstance(output, bytes) else output.encode("utf-8")
    if args.output is None:
        # Bytes, not text: the CSV's BOM and UTF-8 must survive whatever locale stdout has.
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return 0
    try:
        Path(args.output).write_bytes(data)
    except OSError as error:
        raise CommandError(f"cannot write {args.output}: {error.strerror or error}") from None
    print(f"wrote the {report.program_name} report ({args.format}) to {args.output}")
    return 0


def _instant(value: str) -> datetime:
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"--at must be an ISO-8601 instant such as 2027-03-01T09:00:00+00:00 (got {value!r})"
        ) from None
    if instant.tzinfo is None:
        raise CommandError(f"--at needs a time zone, e.g. {value}+00:00 or {value}Z")
    return instant.astimezone(UTC)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Upward operations")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = commands.add_parser("migrate", help="upgrade the database schema (alembic upgrade)")
    p.add_argument("--revision", default="head", help="target revision (default: head)")
    p.set_defaults(run=cmd_migrate)
    p = commands.add_parser(
        "import",
        help="enrich participants from an HR export (CSV)",
        description=(
            "Read people.csv (a header row, then one person per row: email and/or slack_id, "
            "department, title, seniority, manager_email), find each person in Slack and "
            "store what HR says about them. Bad rows are reported by line and skipped."
        ),
    )
    p.add_argument("file", help="the CSV file, UTF-8")
    p.add_argument(
        "--team",
        metavar="T…",
        help="the workspace to import into (required with SLACK_CLIENT_ID: many workspaces)",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="check the file and look everyone up in Slack, but write nothing",
    )
    p.set_defaults(run=cmd_import)
    p = commands.add_parser(
        "run-due",
        help="do everything due now (or --at an instant): prompts, deliveries; then exit",
    )
    p.add_argument("--at", help="the instant, ISO-8601 with a zone (default: now)")
    p.set_defaults(run=cmd_run_due)
    p = commands.add_parser(
        "report",
        help="print a program's report: Markdown, CSV, JSON or the outcomes CSV",
        description=(
            "Build a program's report from the database (no Slack token needed) and print "
            "it, or write it to a file. Ratings and response rates from fewer than 3 people "
            "are hidden; the CSV has one row per person and pair, and no ratings or comments."
        ),
    )
    p.add_argument(
        "--team",
        metavar="TEAM_ID",
        help="the Slack workspace (team) id; needed when there is more than one",
    )
    p.add_argument(
        "--program", metavar="NAME", help="the program's name (default: the workspace's default)"
    )
    p.add_argument(
        "--format",
        choices=tuple(REPORT_FORMATS),
        default="md",
        help=(
            "md (Markdown, the default), csv (one row per person and pair), json, or "
            "outcomes (a CSV with one row per outcome measure)"
        ),
    )
    p.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(run=cmd_report)
    p = commands.add_parser(
        "forget-workspace",
        help="delete every piece of data of a workspace, at once",
        description=(
            "Delete a workspace's data now, as the tick does DELETE_AFTER_UNINSTALL_DAYS after "
            "an uninstall: its people, programs, pairs, answers, messages and installation. "
            "Needs DATABASE_URL only."
        ),
    )
    p.add_argument("team_id", metavar="TEAM_ID", help="the Slack workspace (team) id, T…")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(run=cmd_forget_workspace)
    p = commands.add_parser(
        "forget-user",
        help="delete what one person wrote, and end their participation",
        description=(
            "Delete a person's answers, goals, skills, surveys, commitments and HR row, end "
            "their pairs (their partners are told) and keep an anonymous record for the "
            "lead's counts; see README.md, 'Privacy and data deletion'. Needs DATABASE_URL only."
        ),
    )
    p.add_argument("user_id", metavar="USER_ID", help="the person's Slack user id, U…")
    p.add_argument(
        "--team",
        metavar="TEAM_ID",
        help="the workspace (team) id; needed when the person is in more than one",
    )
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(run=cmd_forget_user)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging()
    try:
        return args.run(args)
    except (SettingsError, CommandError) as error:
        print(f"upward: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except NotFoundError as error:
        print(f"upward: {error}", file=sys.stderr)
        return EXIT_NOT_FOUND
    except UserFacingError as error:
        # A service said no (unknown program, which workspace?): its message, on one line.
        print(f"upward: {' '.join(error.message.split())}", file=sys.stderr)
        return EXIT_CONFIG
