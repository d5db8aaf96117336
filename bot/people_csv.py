"""Reading an HR export (people.csv) into plain rows, with an error per bad line.

Pure: text in, rows and errors out; nothing here touches Slack or the database.
Line numbers are the row numbers a spreadsheet shows: the header is line 1, and a
quoted cell spanning several physical lines still counts as one row.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from models import Seniority

# The widths of the directory_entry and person columns.
MAX_DEPARTMENT_CHARS = 80
MAX_TITLE_CHARS = 120
MAX_EMAIL_CHARS = 254

# Header names (after trimming, lower-casing, spaces and dashes to "_") -> field.
# The first name listed for a field wins when a file has several of them.
COLUMNS: dict[str, tuple[str, ...]] = {
    "email": ("email",),
    "slack_user_id": ("slack_id", "slack_user_id"),
    "department": ("department",),
    "title": ("title",),
    "seniority": ("seniority",),
    "manager_email": ("manager_email", "manager"),
}

SENIORITY_LABELS: dict[str, Seniority] = {
    "early career": Seniority.EARLY_CAREER,
    "junior": Seniority.EARLY_CAREER,
    "established": Seniority.ESTABLISHED,
    "mid": Seniority.ESTABLISHED,
    "senior": Seniority.SENIOR,
    "director": Seniority.DIRECTOR,
    "executive": Seniority.EXECUTIVE,
    "vp": Seniority.EXECUTIVE,
    "c level": Seniority.EXECUTIVE,
}

SENIORITY_HELP = (
    "one of: early career (or junior), established (or mid), senior, director, "
    "executive (or vp, c-level)"
)

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,31}")
_SEPARATORS = re.compile(r"[\s_\-]+")
_SHOWN_CHARS = 40  # how much of a bad value an error message repeats


class CsvFileError(Exception):
    """The file as a whole cannot be read (no header, no identifying column, bad CSV)."""


@dataclass(frozen=True)
class PersonRow:
    """One good line: who, and what HR says about them (None: unknown, keep what we have)."""

    line: int
    email: str | None  # lower-case
    slack_user_id: str | None
    department: str | None
    title: str | None
    seniority: Seniority | None
    manager_email: str | None  # lower-case


@dataclass(frozen=True)
class LineError:
    line: int
    message: str


@dataclass(frozen=True)
class ParsedFile:
    rows: list[PersonRow]
    errors: list[LineError]

    @property
    def total(self) -> int:
        """Data lines that were not blank: good plus bad."""
        return len(self.rows) + len(self.errors)


def parse_people_csv(text: str) -> ParsedFile:
    """Check every line of the export; raise CsvFileError if the file itself is unusable."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    try:
        line = 0
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise CsvFileError(
                "the file is empty; the first line must be a header such as "
                "email,department,title,seniority,manager_email"
            )
        columns = _columns(header)
        rows: list[PersonRow] = []
        errors: list[LineError] = []
        line = 1
        for cells in reader:
            line += 1
            if not any(cell.strip() for cell in cells):
                continue  # a blank row, as spreadsheets often leave at the end
            values = {
                name: cells[index].strip() if index < len(cells) else ""
                for name, index in columns.items()
            }
            row, problems = _check_row(line, values)
            if row is not None:
                rows.append(row)
            else:
                errors.append(LineError(line, "; ".join(problems)))
    except csv.Error as error:
        raise CsvFileError(f"line {line + 1}: not valid CSV ({error})") from None
    return ParsedFile(rows, errors)


def parse_seniority(value: str) -> Seniority:
    """1-5 or a label such as "Senior" or "C-level"; raises ValueError otherwise."""
    if value.isdigit():
        return Seniority(int(value))
    label = _SEPARATORS.sub(" ", value.strip().lower())
    if label not in SENIORITY_LABELS:
        raise ValueError(value)
    return SENIORITY_LABELS[label]


def _columns(header: list[str]) -> dict[str, int]:
    names = [_SEPARATORS.sub("_", cell.strip().lower()) for cell in header]
    columns: dict[str, int] = {}
    for field, accepted in COLUMNS.items():
        for name in accepted:
            if name in names:
                columns[field] = names.index(name)
                break
    if "email" not in columns and "slack_user_id" not in columns:
        shown = ",".join(cell.strip() for cell in header)
        raise CsvFileError(
            "the header needs an email or a slack_id column "
            f"(found: {_shorten(shown, 120)}); the first line must be the header"
        )
    return columns


def _check_row(line: int, values: dict[str, str]) -> tuple[PersonRow | None, list[str]]:
    problems: list[str] = []
    email = _email(values.get("email", ""), "email", problems)
    slack_user_id = values.get("slack_user_id", "").upper() or None
    if slack_user_id is not None and not _SLACK_USER_ID.fullmatch(slack_user_id):
        problems.append(f"slack_id {_quote(slack_user_id)} is not a Slack user ID like U012AB3CD")
    if email is None and slack_user_id is None and not problems:
        problems.append("needs an email or a slack_id")
    department = _text(values.get("department", ""), "department", MAX_DEPARTMENT_CHARS, problems)
    title = _text(values.get("title", ""), "title", MAX_TITLE_CHARS, problems)
    seniority = None
    if raw := values.get("seniority", ""):
        try:
            seniority = parse_seniority(raw)
        except ValueError:
            problems.append(f"seniority {_quote(raw)} is not 1-5 or {SENIORITY_HELP}")
    manager_email = _email(values.get("manager_email", ""), "manager_email", problems)
    if problems:
        return None, problems
    row = PersonRow(line, email, slack_user_id, department, title, seniority, manager_email)
    return row, []


def _email(value: str, name: str, problems: list[str]) -> str | None:
    if not value:
        return None
    if len(value) > MAX_EMAIL_CHARS or not _EMAIL.fullmatch(value):
        problems.append(f"{name} {_quote(value)} is not an email address")
        return None
    return value.lower()


def _text(value: str, name: str, limit: int, problems: list[str]) -> str | None:
    if len(value) > limit:
        problems.append(f"{name} is {len(value)} characters; the limit is {limit}")
    return value or None


def _quote(value: str) -> str:
    return f"'{_shorten(value, _SHOWN_CHARS)}'"


def _shorten(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"
