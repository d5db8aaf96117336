"""`python -m bot <command>`: operations from the shell, with the app's own code."""

from __future__ import annotations

import argparse
import os
import sys

from bot.config import DEFAULT_DATABASE_URL, SettingsError, normalize_database_url, redact_url
from bot.db import migrate
from bot.logs import configure_logging

EXIT_CONFIG = 2


def _database_url() -> str:
    return normalize_database_url(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)


def cmd_migrate(args: argparse.Namespace) -> int:
    url = _database_url()
    migrate(url, args.revision)
    print(f"database at {redact_url(url)} is at revision {args.revision}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Upward operations")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = commands.add_parser("migrate", help="upgrade the database schema (alembic upgrade)")
    p.add_argument("--revision", default="head", help="target revision (default: head)")
    p.set_defaults(run=cmd_migrate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging()
    try:
        return args.run(args)
    except SettingsError as error:
        print(f"upward: {error}", file=sys.stderr)
        return EXIT_CONFIG
