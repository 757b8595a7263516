"""Template helpers of conditional access (registered by the ``govcat_access`` plugin)."""
from __future__ import annotations

from typing import Any, Optional

from flask import g

import ckan.plugins.toolkit as tk

from . import states


def govcat_access_todo() -> Optional[dict[str, Any]]:
    """The logged-in user's 待办 (``govcat_access_todo``), computed once per request; None for
    visitors."""
    if not tk.current_user.is_authenticated:
        return None
    if "govcat_access_todo" not in g:
        try:
            g.govcat_access_todo = tk.get_action("govcat_access_todo")(
                {"user": tk.current_user.name}, {})
        except tk.NotAuthorized:
            g.govcat_access_todo = None
    return g.govcat_access_todo


def govcat_access_state_label(state: str) -> str:
    """The Chinese name of an application state (``draft`` → 草稿, …)."""
    return tk._(states.STATE_LABELS.get(state, state))  # type: ignore[call-overload]


def get_helpers() -> dict[str, Any]:
    return {"govcat_access_todo": govcat_access_todo,
            "govcat_access_state_label": govcat_access_state_label}
