"""CSRF for logged-in browser sessions, checked by GovCat itself (bridge to CKAN internals).

Checked against CKAN 2.12.0. ``ckan_before_request`` (``ckan/config/middleware/flask_app.py``)
exempts a view from Flask-WTF's CSRF check when a request is authenticated by an API token — and
for anonymous requests, which ``load_user_from_request`` flags the same way — by calling
``csrf.exempt(view)``. That adds the view to a process-wide set: after one such request (any
anonymous POST will do), every later request to the view, cookie sessions included, skips the
check — the Action API is one view, so one anonymous POST to it opens every action to cross-site
posts from a logged-in browser. ``require_token`` therefore validates the token itself on every
unsafe request of a logged-in browser session: app-wide from ``govcat_theme`` (``IMiddleware``),
and on the access blueprint in any case. Requests authenticated by an API token stay exempt, as
CKAN intends.
The one internal read here is ``g.login_via_auth_header``, set by CKAN 2.12.0's
``identify_user`` / ``load_user_from_request``.
"""
from __future__ import annotations

from flask import current_app, g, request
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms.validators import ValidationError

import ckan.plugins.toolkit as tk


def _token() -> str | None:
    field = current_app.config["WTF_CSRF_FIELD_NAME"]
    token = request.form.get(field)
    if token:
        return token
    for header in current_app.config["WTF_CSRF_HEADERS"]:
        if request.headers.get(header):
            return request.headers[header]
    return None


def require_token() -> None:
    """``before_request`` hook: refuse (400, CKAN's CSRF error) an unsafe request of a
    logged-in browser session without a valid CSRF token."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    if request.method not in current_app.config["WTF_CSRF_METHODS"]:
        return
    if g.get("login_via_auth_header") or not tk.current_user.is_authenticated:
        return
    try:
        validate_csrf(_token())
    except ValidationError as err:
        raise CSRFError(err.args[0]) from err
