"""docker-compose.yml, its .env.example, the proxy's config and the Dockerfile: what the
README's "Running with Docker Compose" promises, checked by reading the files (Docker
is not needed). Compose's own rules are imitated where they matter: YAML anchors,
`${VAR:-default}` / `${VAR:?error}` interpolation, and a service's command running
after the image's ENTRYPOINT unless the service sets its own."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import make_url

from bot import config
from bot.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ENV_EXAMPLE = ROOT / ".env.example"

# What an operator's .env holds at the least (the secrets), for resolving the file.
OPERATOR_ENV = {
    "SLACK_BOT_TOKEN": "xoxb-1-2-abc",
    "SLACK_SIGNING_SECRET": "0123456789abcdef0123456789abcdef",
    "POSTGRES_PASSWORD": "s3cret",
}
REQUIRED_SECRETS = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
DRAIN_SECONDS = 30  # app.py drains for 25 s on SIGTERM; Compose must wait longer


# --- reading the files the way Compose does --------------------------------------------

_VARIABLE = re.compile(
    r"\$\$|\$\{(?P<braced>[A-Za-z_]\w*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}|\$(?P<bare>[A-Za-z_]\w*)"
)


class MissingVariable(Exception):
    pass


def interpolate(value: str, env: Mapping[str, str]) -> str:
    """Compose's interpolation: $VAR, ${VAR}, ${VAR:-default}, ${VAR-default},
    ${VAR:?error}, ${VAR?error}, and $$ for a literal $."""

    def one(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group("braced") or match.group("bare")
        op, arg = match.group("op"), match.group("arg")
        value = env.get(name)
        if op == ":-":
            return value or arg
        if op == "-":
            return arg if value is None else value
        if op in (":?", "?") and (value is None or (op == ":?" and not value)):
            raise MissingVariable(f"{name}: {arg}")
        return value or ""

    return _VARIABLE.sub(one, value)


def variables_in(node: Any) -> set[str]:
    """Every variable the file interpolates."""
    if isinstance(node, str):
        return {
            m.group("braced") or m.group("bare")
            for m in _VARIABLE.finditer(node)
            if m.group(0) != "$$"
        }
    if isinstance(node, Mapping):
        return set().union(*(variables_in(v) for v in node.values()), set())
    if isinstance(node, list):
        return set().union(*(variables_in(v) for v in node), set())
    return set()


def environment(service: Mapping[str, Any]) -> dict[str, str]:
    """A service's environment as written (mapping or list form), not yet interpolated."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {name: "" if value is None else str(value) for name, value in env.items()}


def resolved_environment(service: Mapping[str, Any], env: Mapping[str, str]) -> dict[str, str]:
    return {name: interpolate(value, env) for name, value in environment(service).items()}


def _argv(value: Any) -> list[str]:
    if value is None:
        return []
    return shlex.split(value) if isinstance(value, str) else [str(part) for part in value]


def dockerfile_instructions() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    lines = [line for line in DOCKERFILE.read_text().splitlines() if not line.startswith("#")]
    return [
        " ".join(part.strip() for part in instruction.split("\\\n"))
        for instruction in re.split(r"(?<!\\)\n", "\n".join(lines))
        if instruction.strip()
    ]


def dockerfile(keyword: str) -> list[str]:
    return [
        instruction[len(keyword) :].strip()
        for instruction in dockerfile_instructions()
        if instruction.split(None, 1)[0].upper() == keyword
    ]


def image_entrypoint() -> list[str]:
    (entrypoint,) = dockerfile("ENTRYPOINT")
    return json.loads(entrypoint)


def _built_here(service: Mapping[str, Any]) -> bool:
    build = service.get("build")
    if build is None:
        return False
    context = build if isinstance(build, str) else build.get("context", ".")
    dockerfile_name = "Dockerfile" if isinstance(build, str) else build.get("dockerfile")
    return (ROOT / context).resolve() == ROOT and dockerfile_name in (None, "Dockerfile")


def app_image_services(services: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The services that run this repository's image: built from its Dockerfile, or
    using the image name such a service tags."""
    tags = {s["image"] for s in services.values() if _built_here(s) and s.get("image")}
    return {
        name: service
        for name, service in services.items()
        if _built_here(service) or service.get("image") in tags
    }


def effective_argv(service: Mapping[str, Any]) -> list[str]:
    """What the container runs: the service's entrypoint (else the image's), then its
    command. A command alone is appended to the image's ENTRYPOINT, not run instead."""
    if "entrypoint" in service and service["entrypoint"] is not None:
        entrypoint = _argv(service["entrypoint"])
    else:
        entrypoint = image_entrypoint()
    return entrypoint + _argv(service.get("command"))


def seconds(duration: str | int) -> float:
    """A Compose duration: 40s, 1m30s, 1h, 500ms."""
    units = {"us": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}
    parts = re.findall(r"(\d+(?:\.\d+)?)(us|ms|s|m|h)", str(duration))
    assert parts, f"not a duration: {duration!r}"
    assert "".join(n + u for n, u in parts) == str(duration), f"not a duration: {duration!r}"
    return sum(float(n) * units[u] for n, u in parts)


def healthcheck_command(service: Mapping[str, Any]) -> str:
    check = service.get("healthcheck") or {}
    assert not check.get("disable"), "healthcheck disabled"
    test = check.get("test")
    assert test, "no healthcheck test"
    if isinstance(test, str):
        return test
    assert test[0] in ("CMD", "CMD-SHELL"), f"healthcheck test must be CMD or CMD-SHELL: {test}"
    return " ".join(test[1:])


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


@pytest.fixture(scope="module")
def replicas(services: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The services that serve: the app image running app.py."""
    return {
        name: service
        for name, service in app_image_services(services).items()
        if effective_argv(service)[:2] == ["python", "app.py"]
    }


# --- the services -----------------------------------------------------------------------


def test_postgres_is_pinned_to_a_minor_with_a_named_volume(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    postgres = services["postgres"]
    assert re.fullmatch(r"postgres:16\.\d+(-[a-z0-9]+)?", postgres["image"]), postgres["image"]
    mounts = [str(volume).split(":") for volume in postgres.get("volumes", [])]
    data = [source for source, target, *_ in mounts if target == "/var/lib/postgresql/data"]
    assert data, "Postgres' data directory is not on a volume"
    assert data[0] in (compose.get("volumes") or {}), f"{data[0]} is not a named volume"
    assert "pg_isready" in healthcheck_command(postgres)
    assert postgres.get("restart") in ("always", "unless-stopped")


def test_there_are_at_least_two_replicas(replicas: dict[str, dict[str, Any]]) -> None:
    count = sum(int((s.get("deploy") or {}).get("replicas", 1)) for s in replicas.values())
    assert count >= 2, f"app replicas: {sorted(replicas)}"


def test_replicas_serve_without_migrating(replicas: dict[str, dict[str, Any]]) -> None:
    for name, service in replicas.items():
        assert effective_argv(service) == ["python", "app.py", "--no-migrate"], name


def test_migrate_runs_the_migrations_once(services: dict[str, dict[str, Any]]) -> None:
    assert "migrate" in app_image_services(services)
    migrate = services["migrate"]
    argv = effective_argv(migrate)
    assert argv[:3] == ["python", "-m", "bot"], argv
    assert argv == ["python", "-m", "bot", "migrate"]
    assert build_parser().parse_args(argv[3:]).command == "migrate"
    # A string: unquoted `no` is YAML's false, which Compose rejects.
    assert migrate.get("restart") == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_replicas_start_after_the_migrations_succeed(
    replicas: dict[str, dict[str, Any]],
) -> None:
    for name, service in replicas.items():
        depends_on = service.get("depends_on")
        assert isinstance(depends_on, Mapping), f"{name}: depends_on needs conditions"
        assert depends_on["migrate"]["condition"] == "service_completed_successfully", name


def test_replicas_are_health_checked_on_readyz_and_drain_before_being_killed(
    replicas: dict[str, dict[str, Any]],
) -> None:
    for name, service in replicas.items():
        command = healthcheck_command(service)
        assert "/readyz" in command, f"{name}: {command}"
        port = config.load_port(resolved_environment(service, OPERATOR_ENV))
        assert f":{port}/readyz" in command, f"{name} listens on {port}: {command}"
        assert seconds(service.get("stop_grace_period", "10s")) >= DRAIN_SECONDS, name
        assert service.get("restart") in ("always", "unless-stopped", "on-failure"), name


def test_the_proxy_reaches_every_replica(
    services: dict[str, dict[str, Any]], replicas: dict[str, dict[str, Any]]
) -> None:
    """A person (and Slack) reaches the replicas through one published port."""
    proxies = [s for s in services.values() if str(s.get("image", "")).startswith("nginx:")]
    if not proxies:  # then each replica must be published itself
        for name, service in replicas.items():
            assert service.get("ports"), f"{name} cannot be reached"
        return
    (proxy,) = proxies
    assert proxy.get("ports"), "the proxy publishes no port"
    mounts = [str(v).split(":") for v in proxy.get("volumes", [])]
    (source,) = [src for src, target, *_ in mounts if target.startswith("/etc/nginx/")]
    conf = (ROOT / source).read_text()
    assert source.startswith("./deploy/")
    assert "location = /slack/events" in conf
    assert "/metrics" not in re.sub(r"#.*", "", conf), "metrics must not be public"
    for name, service in replicas.items():
        port = config.load_port(resolved_environment(service, OPERATOR_ENV))
        assert re.search(rf"server\s+{re.escape(name)}:{port}\b", conf), name


# --- the app's environment --------------------------------------------------------------


def test_app_environment_uses_only_variables_the_app_reads(
    services: dict[str, dict[str, Any]], replicas: dict[str, dict[str, Any]]
) -> None:
    app_services = app_image_services(services)
    assert set(replicas) < set(app_services)
    for name, service in app_services.items():
        unknown = set(environment(service)) - set(config.ENV_VARS)
        assert not unknown, f"{name} sets variables the app never reads: {sorted(unknown)}"
        assert "UPWARD_SANDBOX" not in environment(service), name
    for name, service in replicas.items():
        missing = {"DATABASE_URL", *REQUIRED_SECRETS} - set(environment(service))
        assert not missing, f"{name} lacks {sorted(missing)}"


def test_a_missing_secret_is_a_clear_error(replicas: dict[str, dict[str, Any]]) -> None:
    for name, service in replicas.items():
        for secret in REQUIRED_SECRETS:
            without = {k: v for k, v in OPERATOR_ENV.items() if k != secret}
            value = environment(service)[secret]
            with pytest.raises(MissingVariable, match=secret):
                interpolate(value, without)
            with pytest.raises(MissingVariable, match=secret):
                interpolate(value, {**without, secret: ""})
            assert interpolate(value, OPERATOR_ENV) == OPERATOR_ENV[secret], name


def test_app_environment_loads_with_the_apps_defaults(
    services: dict[str, dict[str, Any]], replicas: dict[str, dict[str, Any]]
) -> None:
    """With only the secrets set, every replica's settings load, JSON logs are on, the
    database is Compose's Postgres, and the optional values are the app's own defaults."""
    postgres = resolved_environment(services["postgres"], OPERATOR_ENV)
    for name, service in replicas.items():
        env = resolved_environment(service, OPERATOR_ENV)
        assert config.load_log_format(env) == "json", name
        settings = config.load_settings(env)
        url = make_url(settings.database_url)
        assert url.get_backend_name() == "postgresql", name
        assert url.host == "postgres", name
        assert (url.username, url.password, url.database) == (
            postgres["POSTGRES_USER"],
            postgres["POSTGRES_PASSWORD"],
            postgres["POSTGRES_DB"],
        ), name
        assert not settings.socket_mode, f"{name}: HTTP mode, behind the proxy"
        assert settings.api_url == config.DEFAULT_API_URL
        assert settings.post_rate == config.DEFAULT_POST_RATE
        assert settings.tick_seconds == config.DEFAULT_TICK_SECONDS
        assert settings.retention_days == config.DEFAULT_RETENTION_DAYS
        assert settings.leads == frozenset()
        # ... and an operator's values reach it.
        custom = {**OPERATOR_ENV, "SLACK_POST_RATE": "25", "MENTOR_LEADS": "U012AB3CD"}
        settings = config.load_settings(resolved_environment(service, custom))
        assert (settings.post_rate, settings.leads) == (25.0, frozenset({"U012AB3CD"}))


def test_migrate_uses_the_same_database(
    services: dict[str, dict[str, Any]], replicas: dict[str, dict[str, Any]]
) -> None:
    migrate = resolved_environment(services["migrate"], OPERATOR_ENV)
    assert migrate.get("LOG_FORMAT") == "json"
    for name, service in replicas.items():
        database_url = resolved_environment(service, OPERATOR_ENV)["DATABASE_URL"]
        assert database_url == migrate["DATABASE_URL"], name


def test_env_example_lists_every_variable_the_file_reads(compose: dict[str, Any]) -> None:
    text = ENV_EXAMPLE.read_text()
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))
    assert variables_in(compose) <= listed, sorted(variables_in(compose) - listed)
    # Every variable it sets is read: by the file, or by the app through the file.
    assigned = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))
    assert assigned <= variables_in(compose), sorted(assigned - variables_in(compose))
    assert set(REQUIRED_SECRETS) <= assigned


def test_env_file_is_ignored_by_git() -> None:
    patterns = (ROOT / ".gitignore").read_text().splitlines()
    assert ".env" in patterns or "/.env" in patterns


# --- the Dockerfile ---------------------------------------------------------------------


def test_dockerfile_checks_readiness_and_logs_json() -> None:
    (healthcheck,) = dockerfile("HEALTHCHECK")
    assert "/readyz" in healthcheck
    assert "/healthz" not in healthcheck
    env = " ".join(dockerfile("ENV"))
    assert re.search(r"(^|\s)LOG_FORMAT=json(\s|$)", env), env
    assert image_entrypoint() == ["python", "app.py"]
