"""The sandbox as its page uses it: `python app.py` with no Slack settings, and its JSON API."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from tests.support import PROXY_VARIABLES, RunningApp, free_port, start_app


def sandbox_env(port: int, **extra: str) -> dict[str, str]:
    """The environment of a fresh clone: no Slack settings, no database URL."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "MENTOR_", "SCHEDULER_", "UPWARD_", "DATABASE_"))
        and k.lower() not in PROXY_VARIABLES
    }
    env.update(PORT=str(port), PYTHONUNBUFFERED="1", **extra)
    return env


def start_sandbox(workdir: Path, *args: str, **extra: str) -> RunningApp:
    return start_app(sandbox_env(free_port(), **extra), workdir / "app.log", *args, cwd=workdir)


@dataclass
class Sandbox:
    app: RunningApp
    workdir: Path

    @property
    def url(self) -> str:
        return self.app.base_url + "/sandbox"

    def state(self, user: str) -> dict[str, Any]:
        response = requests.get(f"{self.url}/api/state", params={"user": user}, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def post(self, verb: str, **body: Any) -> requests.Response:
        return requests.post(f"{self.url}/api/{verb}", json=body, timeout=120)

    def do(self, verb: str, **body: Any) -> dict[str, Any]:
        response = self.post(verb, **body)
        assert response.status_code == 200, response.text
        return response.json()

    def conversation(self, user: str, kind: str, index: int = 0) -> dict[str, Any]:
        found = [c for c in self.state(user)["conversations"] if c["kind"] == kind]
        return found[index]


def sandbox_fixture(workdir: Path) -> Iterator[Sandbox]:
    app = start_sandbox(workdir)
    try:
        yield Sandbox(app, workdir)
    finally:
        app.stop()


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every button in blocks (actions elements and section accessories), with its block."""
    found = []
    for block in blocks:
        elements = list(block.get("elements", [])) if block["type"] == "actions" else []
        if block.get("accessory"):
            elements.append(block["accessory"])
        found += [
            {**e, "block_id": block.get("block_id", "")} for e in elements if e["type"] == "button"
        ]
    return found


def click(button: dict[str, Any]) -> dict[str, Any]:
    """The actions[0] Slack sends for a button click."""
    action = {
        "type": "button",
        "action_id": button["action_id"],
        "block_id": button["block_id"],
        "text": button["text"],
    }
    if "value" in button:
        action["value"] = button["value"]
    return action
