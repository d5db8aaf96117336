"""The HR directory: importing people.csv, and what matching and joining read from it.

An import resolves every row to a Slack user (users.lookupByEmail unless the row has
a Slack id), keeps one DirectoryEntry per person, and copies what HR knows onto
people who already joined. It commits in batches, so a long import that stops
half-way keeps what it did, and running it again picks up where it left off: every
write is an upsert.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.people_csv import LineError, ParsedFile, PersonRow
from bot.services.people.workspaces import ensure_workspace
from bot.slack.errors import NotDeliverableError, SlackError, SlackUnavailableError
from bot.slack.gateway import SlackGateway
from models import DirectoryEntry, Person

BATCH_SIZE = 500  # rows per transaction: a crash loses at most this many rows' work

# What HR is the source of truth for, on both a directory entry and a participant.
HR_FIELDS = ("department", "title", "seniority", "email", "manager_user_id")


# --- Slack -------------------------------------------------------------------------


@dataclass(frozen=True)
class SlackUserRef:
    id: str
    deleted: bool


class UserDirectory(Protocol):
    """The two Slack questions an import asks."""

    def team_id(self) -> str: ...

    def lookup_by_email(self, email: str) -> SlackUserRef | None:
        """The user with that email, or None if Slack has nobody with it."""
        ...


class DirectoryUnavailableError(Exception):
    """Slack refused or failed after the client's retries; the import cannot go on."""


class SlackUserDirectory:
    """UserDirectory over the gateway (its client retries 429s and 5xx)."""

    def __init__(self, gateway: SlackGateway, team_id: str | None = None) -> None:
        """team_id: the workspace to import into, when the token may act in several
        (an Enterprise Grid org-wide installation); else the token's own."""
        self._gateway = gateway
        self._team_id = team_id

    def team_id(self) -> str:
        if self._team_id is not None:
            return self._team_id
        try:
            return self._gateway.identity().team_id
        except SlackError as error:
            raise DirectoryUnavailableError(_explain(error)) from error

    def lookup_by_email(self, email: str) -> SlackUserRef | None:
        try:
            user = self._gateway.user_by_email(email)
        except NotDeliverableError as error:
            if error.code == "users_not_found":
                return None
            raise DirectoryUnavailableError(_explain(error)) from error
        except SlackError as error:
            raise DirectoryUnavailableError(_explain(error)) from error
        return SlackUserRef(id=user["id"], deleted=bool(user.get("deleted")))


def _explain(error: SlackError) -> str:
    if isinstance(error, SlackUnavailableError) and error.code == "connection":
        return (
            f"could not reach Slack for {error.method} ({error.detail}); "
            "check SLACK_API_URL and the network"
        )
    hints = {
        "invalid_auth": "check SLACK_BOT_TOKEN",
        "not_authed": "check SLACK_BOT_TOKEN",
        "token_revoked": "reinstall the app and update SLACK_BOT_TOKEN",
        "account_inactive": "reinstall the app and update SLACK_BOT_TOKEN",
        "missing_scope": "add the users:read.email scope (manifest.json) and reinstall",
        "ratelimited": "Slack kept rate-limiting; wait a minute and run the import again",
    }
    hint = hints.get(error.code, "try again later")
    return f"Slack answered {error.method} with {error.code!r}: {hint}"


# --- importing ---------------------------------------------------------------------


@dataclass(frozen=True)
class ImportReport:
    total: int  # data rows in the file (blank rows aside)
    imported: int  # rows written (or, in a dry run, that would be)
    participants_updated: int  # joined people whose HR details changed
    bad: list[LineError]  # rows left out, with the reason; sorted by line
    warnings: list[LineError]  # rows kept, with something worth fixing

    @property
    def skipped(self) -> int:
        return len(self.bad)


class ImportStoppedError(Exception):
    """Slack failed mid-way; the message says what was kept and what to do."""


@dataclass(frozen=True)
class _Resolved:
    row: PersonRow
    user_id: str
    manager_user_id: str | None


class DirectoryImportService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        slack: UserDirectory,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._slack = slack
        self._batch_size = batch_size

    def import_people(
        self,
        parsed: ParsedFile,
        dry_run: bool = False,
        progress: Callable[[int], None] | None = None,
    ) -> ImportReport:
        """Resolve and store every good row; report bad rows and warnings by line.

        A dry run asks Slack exactly what a real run would (so it reports the same
        bad rows and warnings) and runs the same writes, then rolls them back.
        ``progress`` is called with the number of rows just handled.
        """
        bad = list(parsed.errors)
        try:
            team_id = self._slack.team_id()
        except DirectoryUnavailableError as error:
            raise ImportStoppedError(f"{error}; nothing was imported") from error
        run = _Resolution(self._slack, parsed.rows)
        imported = updated = 0
        for batch in _batches(parsed.rows, self._batch_size):
            resolved: list[_Resolved] = []
            for row in batch:
                try:
                    result = run.resolve(row)
                except DirectoryUnavailableError as error:
                    kept = (
                        "nothing was written (dry run)"
                        if dry_run
                        else f"the {imported} rows before it were imported: run the import "
                        "again to finish"
                    )
                    raise ImportStoppedError(
                        f"stopped at line {row.line}: {error}; {kept}"
                    ) from error
                if result is not None:
                    resolved.append(result)
                if progress is not None:
                    progress(1)
            if resolved:
                updated += self._write(team_id, resolved, dry_run)
                imported += len(resolved)
        bad.extend(run.bad)
        return ImportReport(
            total=parsed.total,
            imported=imported,
            participants_updated=updated,
            bad=sorted(bad, key=lambda issue: issue.line),
            warnings=sorted(run.warnings, key=lambda issue: issue.line),
        )

    def _write(self, team_id: str, batch: Sequence[_Resolved], dry_run: bool) -> int:
        try:
            return self._write_once(team_id, batch, dry_run)
        except IntegrityError:
            # Another import inserted some of these people first; now they are updates.
            return self._write_once(team_id, batch, dry_run)

    def _write_once(self, team_id: str, batch: Sequence[_Resolved], dry_run: bool) -> int:
        now = self._clock.now()
        with self._sessions() as session, session.begin() as transaction:
            workspace = ensure_workspace(session, team_id, now)
            user_ids = [item.user_id for item in batch]
            entries = {
                entry.slack_user_id: entry
                for entry in session.scalars(
                    select(DirectoryEntry).where(
                        DirectoryEntry.workspace_id == workspace.id,
                        DirectoryEntry.slack_user_id.in_(user_ids),
                    )
                )
            }
            people = {
                person.slack_user_id: person
                for person in session.scalars(
                    select(Person).where(
                        Person.workspace_id == workspace.id, Person.slack_user_id.in_(user_ids)
                    )
                )
            }
            updated = 0
            for item in batch:
                row = item.row
                values = {
                    "department": row.department,
                    "title": row.title,
                    "seniority": None if row.seniority is None else int(row.seniority),
                    "email": row.email,
                    "manager_user_id": item.manager_user_id,
                }
                entry = entries.get(item.user_id)
                if entry is None:
                    entry = DirectoryEntry(workspace_id=workspace.id, slack_user_id=item.user_id)
                    session.add(entry)
                    entries[item.user_id] = entry
                _fill(entry, values, overwrite=True)
                if row.manager_email is not None:
                    # The manager HR named, even when Slack does not know them (yet).
                    entry.manager_email = row.manager_email
                    entry.manager_user_id = item.manager_user_id
                entry.imported_at = now
                person = people.get(item.user_id)
                if person is not None and _fill(person, values, overwrite=True):
                    person.updated_at = now
                    updated += 1
            session.flush()
            if dry_run:
                transaction.rollback()
        return updated


class _Resolution:
    """One run's answers from Slack and from the file itself, asked once per email."""

    def __init__(self, slack: UserDirectory, rows: Sequence[PersonRow]) -> None:
        self._slack = slack
        self._lookups: dict[str, SlackUserRef | None] = {}
        # Rows that carry both an email and a Slack id answer for that email.
        self._in_file: dict[str, str] = {}
        for row in rows:
            if row.email and row.slack_user_id:
                self._in_file.setdefault(row.email, row.slack_user_id)
        self._first_line: dict[str, int] = {}
        self.bad: list[LineError] = []
        self.warnings: list[LineError] = []

    def resolve(self, row: PersonRow) -> _Resolved | None:
        user_id = row.slack_user_id
        if user_id is None:
            assert row.email is not None  # the parser guarantees one or the other
            user = self._lookup(row.email)
            if user is None:
                return self._reject(row, "no Slack user with that email")
            if user.deleted:
                return self._reject(row, "that Slack user is deactivated")
            user_id = user.id
        first = self._first_line.setdefault(user_id, row.line)
        if first != row.line:
            return self._reject(row, f"duplicate of line {first}")
        manager_user_id = None
        if row.manager_email is not None:
            manager_user_id = self._manager(row, user_id)
        return _Resolved(row, user_id, manager_user_id)

    def _manager(self, row: PersonRow, user_id: str) -> str | None:
        email = row.manager_email
        assert email is not None
        manager_id = self._in_file.get(email)
        if manager_id is None:
            user = self._lookup(email)
            if user is None or user.deleted:
                why = "no Slack user" if user is None else "a deactivated Slack user"
                self._warn(row, f"manager {email} has {why}; manager left unset")
                return None
            manager_id = user.id
        if manager_id == user_id:
            self._warn(row, "is listed as their own manager; manager left unset")
            return None
        return manager_id

    def _lookup(self, email: str) -> SlackUserRef | None:
        if email not in self._lookups:
            self._lookups[email] = self._slack.lookup_by_email(email)
        return self._lookups[email]

    def _reject(self, row: PersonRow, message: str) -> None:
        self.bad.append(LineError(row.line, message))

    def _warn(self, row: PersonRow, message: str) -> None:
        self.warnings.append(LineError(row.line, message))


def _batches(rows: Sequence[PersonRow], size: int) -> Iterable[Sequence[PersonRow]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _fill(target: DirectoryEntry | Person, values: dict[str, Any], overwrite: bool) -> bool:
    """Set each known value (None: unknown, keep what is there); True if anything changed."""
    changed = False
    for name, value in values.items():
        current = getattr(target, name)
        if value is None or current == value or (current is not None and not overwrite):
            continue
        setattr(target, name, value)
        changed = True
    return changed


# --- reading -------------------------------------------------------------------------


def enrich_from_directory(session: Session, person: Person) -> None:
    """Fill a newly joined person's empty HR fields from their directory entry, if any.

    Call it after the person's workspace_id and slack_user_id are set.
    """
    entry = session.scalars(
        select(DirectoryEntry).where(
            DirectoryEntry.workspace_id == person.workspace_id,
            DirectoryEntry.slack_user_id == person.slack_user_id,
        )
    ).one_or_none()
    if entry is not None:
        _fill(person, {name: getattr(entry, name) for name in HR_FIELDS}, overwrite=False)


def management_chains(session: Session, workspace_id: int) -> dict[str, frozenset[str]]:
    """Slack user id -> the Slack user ids of everyone above them, up to the top.

    Keys: everyone in the directory, plus participants with a manager of their own.
    Managers come from the directory, else from the participant's row. A cycle in
    the data puts everyone in it above everyone else in it (never above themselves).
    Two queries, whatever the size of the organisation.
    """
    manager_of: dict[str, str | None] = dict(
        session.execute(
            select(DirectoryEntry.slack_user_id, DirectoryEntry.manager_user_id).where(
                DirectoryEntry.workspace_id == workspace_id
            )
        ).all()
    )
    for user_id, manager_id in session.execute(
        select(Person.slack_user_id, Person.manager_user_id).where(
            Person.workspace_id == workspace_id, Person.manager_user_id.is_not(None)
        )
    ):
        if manager_of.get(user_id) is None:
            manager_of[user_id] = manager_id
    return _chains(manager_of)


def _chains(manager_of: dict[str, str | None]) -> dict[str, frozenset[str]]:
    chains: dict[str, frozenset[str]] = {}
    for start in manager_of:
        # Walk up until the top, a person already done, or a loop back onto this walk.
        path: list[str] = []
        position: dict[str, int] = {}
        node: str | None = start
        while node is not None and node not in chains and node not in position:
            position[node] = len(path)
            path.append(node)
            node = manager_of.get(node)
        if node is None:
            above: frozenset[str] = frozenset()
        elif node in chains:
            above = chains[node] | {node}
        else:
            loop = path[position[node] :]
            above = frozenset(loop)
            for member in loop:
                chains[member] = above - {member}
            path = path[: position[node]]
        for user_id in reversed(path):
            chains[user_id] = above
            above = above | {user_id}
    return {user_id: chains[user_id] for user_id in manager_of}
