"""Reading a submitted modal's ``view.state.values``: every input here uses
``Action.FIELD`` as its action_id, and anything odd in the payload reads as empty, so
the service can say, field by field, what is missing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.ids import Action


def element(state_values: Mapping[str, Any], block_id: str) -> Mapping[str, Any]:
    block = state_values.get(block_id)
    value = block.get(Action.FIELD.value) if isinstance(block, Mapping) else None
    return value if isinstance(value, Mapping) else {}


def option_value(option: object) -> str | None:
    if isinstance(option, Mapping) and isinstance(option.get("value"), str):
        return option["value"]
    return None


def selected(state_values: Mapping[str, Any], block_id: str) -> str | None:
    """A radio button's or select's chosen value."""
    return option_value(element(state_values, block_id).get("selected_option"))


def ticked(state_values: Mapping[str, Any], block_id: str) -> list[str]:
    """Checkboxes' or a multi-select's chosen values."""
    options = element(state_values, block_id).get("selected_options")
    if not isinstance(options, list):
        return []
    return [v for v in (option_value(o) for o in options) if v is not None]


def typed(state_values: Mapping[str, Any], block_id: str) -> str | None:
    """A text input's value."""
    value = element(state_values, block_id).get("value")
    return value if isinstance(value, str) else None
