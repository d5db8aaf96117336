"""Which way the imports point, read from the source with ``ast``.

Services sit above views: a service composes its messages by calling views, so a view
that imported a service would close a loop (and drag the database into every renderer).
The data both sides pass lives in ``bot.shapes``, which therefore imports neither side
and nothing that touches the database or Slack. Only ``bot.slack`` (and the sandbox's
fake Slack) talks to slack_sdk's client and errors, so every Slack failure reaches the
rest of the app as one of our own errors.

Every import statement counts, wherever it sits: inside a function, under
``TYPE_CHECKING``, relative or absolute.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SHAPES_FORBIDDEN = ("bot.services", "bot.views", "models", "sqlalchemy", "slack_sdk")
# The one part of models a shape may name: plain StrEnums/IntEnums (Role, PersonStatus,
# Seniority, RoundStatus) whose values rows hold. A Profile carries a Role, so it must be
# the same Role the column stores; the ORM classes stay out.
SHAPES_ALLOWED = ("models.enums",)
# Slack's side of the app: the gateway, and the sandbox's fake Slack.
SLACK_PACKAGES = ("bot/slack/", "bot/sandbox/")


@dataclass(frozen=True)
class Import:
    file: str  # relative to the repository root
    line: int
    statement: str  # as written, on one line
    modules: tuple[str, ...]  # every dotted name it may load, absolute


@dataclass(frozen=True)
class Construction:
    file: str
    line: int
    call: str


def module_name(relative: str) -> str:
    parts = relative.removesuffix(".py").split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package(relative: str) -> str:
    name = module_name(relative)
    return name if relative.endswith("__init__.py") else name.rpartition(".")[0]


def imports_in(source: str, relative: str) -> list[Import]:
    found = []
    for node in ast.walk(ast.parse(source, filename=relative)):
        if isinstance(node, ast.Import):
            modules = tuple(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = _package(relative).split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from bot import services` loads the module bot.services, so each imported
            # name counts as base.name too.
            modules = (base, *(f"{base}.{alias.name}" for alias in node.names))
        else:
            continue
        statement = " ".join((ast.get_source_segment(source, node) or "").split())
        found.append(Import(relative, node.lineno, statement, modules))
    return found


def web_clients_built_in(source: str, relative: str) -> list[Construction]:
    """Calls that build slack_sdk's WebClient, under any name it was imported as."""
    tree = ast.parse(source, filename=relative)
    names = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("slack_sdk")
        for alias in node.names
        if alias.name == "WebClient"
    }
    return [
        Construction(relative, node.lineno, ast.unparse(node.func))
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Name) and node.func.id in names)
            or (isinstance(node.func, ast.Attribute) and node.func.attr == "WebClient")
        )
    ]


def python_files(*roots: str) -> list[str]:
    files = []
    for root in roots:
        path = ROOT / root
        found = [path] if path.is_file() else sorted(path.rglob("*.py"))
        files += [f.relative_to(ROOT).as_posix() for f in found]
    return files


def _read(relative: str) -> str:
    return (ROOT / relative).read_text(encoding="utf-8")


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def offending(
    imports: Iterable[Import], forbidden: Iterable[str], allowed: Iterable[str] = ()
) -> Iterator[tuple[Import, str]]:
    forbidden, allowed = tuple(forbidden), tuple(allowed)
    for imp in imports:
        for module in imp.modules:
            if any(within(module, a) for a in allowed):
                continue
            hit = next((f for f in forbidden if within(module, f)), None)
            if hit is not None:
                yield imp, hit
                break


def _lines(found: Iterable[tuple[Import, str]]) -> str:
    return "\n".join(
        f"{imp.file}:{imp.line}: `{imp.statement}` imports {hit}" for imp, hit in found
    )


# --- the rules, over the real tree ------------------------------------------------------


def test_the_layers_hold_files_to_check() -> None:
    """A moved folder must not turn the rules below into checks over nothing."""
    assert len(python_files("bot/views")) >= 10
    assert len(python_files("bot/shapes")) >= 7
    assert len(python_files("bot/services")) >= 20


def test_views_never_import_services() -> None:
    found = [
        hit
        for f in python_files("bot/views")
        for hit in offending(imports_in(_read(f), f), ["bot.services"])
    ]
    assert not found, (
        "views must not import services (services call views to compose messages; put "
        "shared data in bot.shapes):\n" + _lines(found)
    )


def test_shapes_import_neither_side_nor_the_database_nor_slack() -> None:
    found = [
        hit
        for f in python_files("bot/shapes")
        for hit in offending(imports_in(_read(f), f), SHAPES_FORBIDDEN, SHAPES_ALLOWED)
    ]
    assert not found, (
        "bot.shapes is plain data that services and views share; it must not import:\n"
        + _lines(found)
    )


def _outside_slack() -> list[str]:
    return [
        f for f in python_files("bot", "handlers", "app.py") if not f.startswith(SLACK_PACKAGES)
    ]


def test_only_bot_slack_imports_slack_sdk_errors() -> None:
    found = [
        hit
        for f in _outside_slack()
        for hit in offending(imports_in(_read(f), f), ["slack_sdk.errors"])
    ]
    assert not found, (
        "only bot/slack/ handles slack_sdk's errors; elsewhere catch bot.slack.errors:\n"
        + _lines(found)
    )


def test_only_bot_slack_builds_a_web_client() -> None:
    found = [c for f in _outside_slack() for c in web_clients_built_in(_read(f), f)]
    assert not found, "only bot/slack/ builds a WebClient; use the SlackGateway:\n" + "\n".join(
        f"{c.file}:{c.line}: calls {c.call}(...)" for c in found
    )


# --- the checker itself: each forbidden form is caught, and only those ------------------


@pytest.mark.parametrize(
    "source",
    [
        "from bot.services.people.enrolment import Profile",
        "from bot.services import enrolment",
        "from bot import services",
        "from bot import copy, services as svc",
        "import bot.services.people.enrolment",
        "import bot.services",
        "from ..services.goals import PairGoals",
        "from .. import services",
        "def later():\n    from bot.services.matching.rounds import RoundPreview\n",
        "if TYPE_CHECKING:\n    from bot.services.programs.settings import ProgramSettings\n",
    ],
)
def test_a_view_importing_a_service_is_caught(source: str) -> None:
    found = list(offending(imports_in(source, "bot/views/home.py"), ["bot.services"]))
    assert len(found) == 1
    imp, hit = found[0]
    assert hit == "bot.services"
    assert imp.file == "bot/views/home.py"
    assert imp.statement.startswith(("from", "import"))


@pytest.mark.parametrize(
    "source",
    [
        "from bot.shapes.enrolment import Profile",
        "from bot.views.messages import Message",
        "from . import messages",
        "from bot import copy",
        "import bot.servicesx",
    ],
)
def test_a_view_importing_shapes_or_views_passes(source: str) -> None:
    assert not list(offending(imports_in(source, "bot/views/home.py"), ["bot.services"]))


@pytest.mark.parametrize(
    ("source", "hit"),
    [
        ("from bot.views.messages import Message", "bot.views"),
        ("from bot.services.matching.matcher import Weights", "bot.services"),
        ("from models import Role", "models"),
        ("from models.person import Person", "models"),
        ("import sqlalchemy", "sqlalchemy"),
        ("from sqlalchemy.orm import Session", "sqlalchemy"),
        ("from slack_sdk.models.blocks import SectionBlock", "slack_sdk"),
        ("from ..views import pairs", "bot.views"),
    ],
)
def test_a_shape_importing_a_forbidden_module_is_caught(source: str, hit: str) -> None:
    found = list(
        offending(imports_in(source, "bot/shapes/goals.py"), SHAPES_FORBIDDEN, SHAPES_ALLOWED)
    )
    assert [h for _, h in found] == [hit]


def test_a_shape_may_name_the_stored_enums() -> None:
    source = "from models.enums import Role, RoundStatus\nfrom bot.ids import GoalField\n"
    found = offending(imports_in(source, "bot/shapes/x.py"), SHAPES_FORBIDDEN, SHAPES_ALLOWED)
    assert not list(found)


@pytest.mark.parametrize(
    "source",
    [
        "from slack_sdk.errors import SlackApiError",
        "import slack_sdk.errors",
        "from slack_sdk import errors",
    ],
)
def test_slack_sdk_errors_outside_bot_slack_are_caught(source: str) -> None:
    assert list(offending(imports_in(source, "handlers/x.py"), ["slack_sdk.errors"]))


@pytest.mark.parametrize(
    "source",
    [
        "from slack_sdk import WebClient\nclient = WebClient(token=t)\n",
        "from slack_sdk.web import WebClient as W\nclient = W()\n",
        "import slack_sdk\nclient = slack_sdk.WebClient()\n",
    ],
)
def test_building_a_web_client_is_caught(source: str) -> None:
    assert len(web_clients_built_in(source, "bot/x.py")) == 1


def test_naming_a_web_client_without_building_one_passes() -> None:
    source = "from slack_sdk import WebClient\ndef f(client: WebClient) -> None: ...\n"
    assert not web_clients_built_in(source, "bot/x.py")


def test_module_names_resolve_packages() -> None:
    assert module_name("bot/views/home.py") == "bot.views.home"
    assert module_name("bot/views/__init__.py") == "bot.views"
    (imp,) = imports_in("from . import pairs", "bot/views/__init__.py")
    assert "bot.views.pairs" in imp.modules
