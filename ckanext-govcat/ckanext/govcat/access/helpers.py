"""Template helpers of conditional access (registered by the ``govcat_access`` plugin)."""
from __future__ import annotations

from typing import Any, Optional

from flask import g

import ckan.plugins.toolkit as tk
from ckan import model

from . import gate, policy, states


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


def govcat_access_apply_url(pkg: dict[str, Any]) -> Optional[str]:
    """Where the visitor applies for the dataset ``pkg`` (a ``package_show`` dict), when its
    page offers that: a conditional dataset of which the visitor may not read some resource
    (the gate marked it), or that has no resource yet and no grant of the visitor covers all
    of it (a grant for all resources covers those added later). None otherwise."""
    if policy.open_type(pkg) != "conditional":
        return None
    resources = pkg.get("resources") or []
    if resources:
        gated = any(res.get(gate.GATED_FLAG) for res in resources)
        return gate.apply_url(pkg["name"]) if gated else None
    package = model.Package.get(pkg.get("id") or "")
    if package is None:
        return None
    user = tk.current_user.name if tk.current_user.is_authenticated else None
    # No resource id: only a grant without a resource list (all resources) covers it.
    if policy.data_decision(user, package, "").allowed:
        return None
    return gate.apply_url(package.name)


def get_helpers() -> dict[str, Any]:
    return {"govcat_access_todo": govcat_access_todo,
            "govcat_access_state_label": govcat_access_state_label,
            "govcat_access_apply_url": govcat_access_apply_url}
