"""``ckan govcat access …`` commands (plugin ``govcat_access``)."""
from __future__ import annotations

import contextlib
from typing import Any

import click

import ckan.plugins.toolkit as tk

from ..cli import govcat


@govcat.group(name="access")
def access() -> None:
    """Conditional access (有条件开放)."""


@access.command(name="expire")
@click.pass_context
def expire(ctx: click.Context) -> None:
    """Move approved applications whose grant has ended to 已过期 (recorded as done by the
    system) and email each grantee. Access already ends with the grant; run this periodically
    (the launcher's scheduler runs it every minute)."""
    flask_app = ctx.meta.get("flask_app")  # set by the ckan command; emails need a request
    with flask_app.test_request_context() if flask_app else contextlib.nullcontext():
        expired = run_expiry()
    click.echo(f"已将 {len(expired)} 个授权到期的申请置为“已过期”。")


def run_expiry() -> list[str]:
    """``govcat_access_grant_expire`` as the site user; the ids of the expired applications."""
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    result: dict[str, Any] = tk.get_action("govcat_access_grant_expire")(
        {"user": site_user}, {})
    return result["expired"]


def get_commands() -> list[click.Command]:
    return [govcat]
