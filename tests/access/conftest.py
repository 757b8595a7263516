"""Fixtures of the access tests: the DataStore set up like `ckan datastore set-permissions`,
and a "world" of two departments, a conditional dataset (file, DataStore table and link
resources) and one user per persona of the leak matrix."""
from __future__ import annotations

import datetime as dt
import os
import socket
from dataclasses import dataclass, field
from email import message_from_bytes
from email.header import decode_header, make_header
from typing import Any, Callable, Optional

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action

PLUGINS = "govcat_search govcat_access datastore datatables_view"
LINK_URL = "https://secret.example.gov.cn/data/full-export.csv"
FILE_BODY = "编号,名称\n1,机密数据\n"



def access_marks(extra_plugins: str = "") -> list[pytest.MarkDecorator]:
    """The marks of an access test module: ``PLUGINS`` (plus ``extra_plugins``), DataStore SQL
    on, no email unless a test asks, a clean database and the app."""
    return [
        pytest.mark.ckan_config("ckan.plugins", f"{PLUGINS} {extra_plugins}".strip()),
        pytest.mark.ckan_config("ckan.datastore.sqlsearch.enabled", "true"),
        pytest.mark.ckan_config("ckanext.govcat.access.notify", "false"),
        pytest.mark.usefixtures("clean_db", "datastore_permissions", "app"),
    ]


# Apply to every access test module that talks to CKAN.
ckan_marks = access_marks()


@pytest.fixture(scope="session")
def datastore_permissions() -> None:
    """Grant the DataStore roles as `ckan datastore set-permissions` would (idempotent)."""
    from ckanext.datastore.cli import permissions_sql

    write = sa.engine.make_url(os.environ["CKAN_DATASTORE_WRITE_URL"])
    read = sa.engine.make_url(os.environ["CKAN_DATASTORE_READ_URL"])
    main = sa.engine.make_url(os.environ["CKAN_SQLALCHEMY_URL"])
    assert "\\connect" in permissions_sql("m", "d", "u", "w", "r")
    sql = permissions_sql(maindb=main.database, datastoredb=write.database,
                          mainuser=main.username, writeuser=write.username,
                          readuser=read.username)
    # A psql script whose statements follow "\\connect <datastore db>"; executed without
    # parameters, so '%' stays literal.
    script = sql.partition("\\connect")[2].split("\n", 1)[1]
    engine = sa.create_engine(write)
    with engine.begin() as conn:
        conn.connection.dbapi_connection.cursor().execute(script)
    engine.dispose()


@dataclass
class World:
    org_a: dict[str, Any]
    org_b: dict[str, Any]
    dataset: dict[str, Any]
    file_res: dict[str, Any]
    table_res: dict[str, Any]
    link_res: dict[str, Any]
    other_res: dict[str, Any]
    view_id: str
    users: dict[str, Optional[dict[str, Any]]] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    applications: dict[str, str] = field(default_factory=dict)

    def headers(self, persona: str) -> dict[str, str]:
        token = self.tokens.get(persona)
        return {"Authorization": token} if token else {}


def token_for(user_name: str) -> str:
    return call_action("api_token_create", {"user": user_name}, user=user_name,
                       name="test")["token"]


def application(user: str, package_id: str, **extra: Any) -> dict[str, Any]:
    data = dict(package_id=package_id, applicant_type="person", applicant_name="张三",
                purpose="城市交通研究", scenario="学术论文", contact="13800000000",
                security_measures="加密存储", agreement_accepted=True)
    data.update(extra)
    return call_action("govcat_access_application_create", {"user": user}, **data)


def submitted(user: str, package_id: str, **extra: Any) -> dict[str, Any]:
    app = application(user, package_id, **extra)
    return call_action("govcat_access_application_submit", {"user": user}, id=app["id"])


def decide(reviewer: str, app_id: str, decision: str, **extra: Any) -> dict[str, Any]:
    return call_action("govcat_access_application_decide", {"user": reviewer}, id=app_id,
                       decision=decision, **extra)


PERSONAS = ("anonymous", "nobody", "pending", "returned", "rejected", "other_resource",
            "approved", "expired", "revoked", "other_admin", "member", "sysadmin")
ALLOWED = frozenset({"approved", "member", "sysadmin"})


def make_world(create_with_upload: Any, open_type: str = "conditional") -> World:
    sysadmin = factories.Sysadmin()
    admin_a, member_a, admin_b = factories.User(), factories.User(), factories.User()
    org_a = factories.Organization(users=[{"name": admin_a["name"], "capacity": "admin"},
                                          {"name": member_a["name"], "capacity": "member"}])
    org_b = factories.Organization(users=[{"name": admin_b["name"], "capacity": "admin"}])
    ctx = {"user": sysadmin["name"]}
    dataset = call_action("package_create", ctx, name=f"cond-{org_a['name']}", title="条件数据",
                          owner_org=org_a["id"],
                          extras=[{"key": "open_type", "value": open_type}])
    file_res = create_with_upload(FILE_BODY, "data.csv", context=ctx, package_id=dataset["id"],
                                  name="文件资源", format="CSV")
    link_res = call_action("resource_create", ctx, package_id=dataset["id"], url=LINK_URL,
                           name="链接资源", format="CSV")
    other_res = call_action("resource_create", ctx, package_id=dataset["id"],
                            url="https://other.example.gov.cn/x.csv", name="另一资源")
    table = call_action("datastore_create", ctx, resource={"package_id": dataset["id"],
                                                           "name": "数据表"},
                        fields=[{"id": "code", "type": "text"}, {"id": "name", "type": "text"}],
                        records=[{"code": "1", "name": "机密数据"}], force=True,
                        aliases=f"alias_{dataset['id'][:8]}")
    table_res = call_action("resource_show", ctx, id=table["resource_id"])
    view = call_action("resource_view_create", ctx, resource_id=table_res["id"],
                       view_type="datatables_view", title="表格预览")
    world = World(org_a, org_b, call_action("package_show", ctx, id=dataset["id"]), file_res,
                  table_res, link_res, other_res, view["id"])
    world.users = {"anonymous": None, "sysadmin": sysadmin, "member": member_a,
                   "other_admin": admin_b, "admin": admin_a}
    for persona in ("nobody", "pending", "returned", "rejected", "other_resource", "approved",
                    "expired", "revoked"):
        world.users[persona] = factories.User(email=f"{persona}@example.com")
    for persona, user in world.users.items():
        if user is not None:
            world.tokens[persona] = token_for(user["name"])
    if open_type != "conditional":
        return world
    pid, admin = dataset["id"], admin_a["name"]
    name = lambda persona: world.users[persona]["name"]  # noqa: E731
    world.applications["pending"] = submitted(name("pending"), pid)["id"]
    for persona, decision in (("returned", "return"), ("rejected", "reject")):
        app = submitted(name(persona), pid)
        decide(admin, app["id"], decision, reason="材料不全")
        world.applications[persona] = app["id"]
    app = submitted(name("other_resource"), pid, resource_ids=[other_res["id"]])
    decide(admin, app["id"], "approve")
    for persona in ("approved", "expired", "revoked"):
        app = submitted(name(persona), pid)
        world.applications[persona] = decide(admin, app["id"], "approve")["id"]
    grants = call_action("govcat_access_grant_list", {"user": admin}, package_id=pid)["results"]
    by_user = {g["user_id"]: g for g in grants}
    revoke = by_user[world.users["revoked"]["id"]]
    call_action("govcat_access_grant_revoke", {"user": admin}, id=revoke["id"], reason="违规使用")
    expire_grant(by_user[world.users["expired"]["id"]]["id"])
    return world


def expire_grant(grant_id: str) -> None:
    """Let a grant run out (as time would): its end moves into the past."""
    from ckanext.govcat.access import model as am

    grant = model.Session.get(am.Grant, grant_id)
    past = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1)
    grant.starts, grant.expires = past - dt.timedelta(days=30), past
    model.Session.commit()


@pytest.fixture
def world(create_with_upload: Any) -> World:
    return make_world(create_with_upload)


SCENE_PASSWORD = "GovCat-browser-pass-1"


@pytest.fixture
def scene(create_with_upload: Any) -> dict[str, Any]:
    """A department admin, an applicant (both with ``SCENE_PASSWORD``) and a conditional
    dataset ``cond-scene`` with one uploaded file."""
    admin = factories.User(password=SCENE_PASSWORD)
    applicant = factories.User(password=SCENE_PASSWORD)
    org = factories.Organization(users=[{"name": admin["name"], "capacity": "admin"}])
    dataset = call_action("package_create", {"user": admin["name"]}, name="cond-scene",
                          title="条件数据", owner_org=org["id"],
                          extras=[{"key": "open_type", "value": "conditional"}])
    res = create_with_upload(FILE_BODY, "d.csv", context={"user": admin["name"]},
                             package_id=dataset["id"], name="文件")
    return {"admin": admin, "applicant": applicant, "dataset": dataset, "res": res}


class Inbox:
    """A local SMTP catcher: ``messages`` holds (recipients, message) as they arrive."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def inbox(ckan_config: Any, monkeypatch: Any) -> Any:
    """CKAN's mailer pointed at a local SMTP catcher, access notifications on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{port}")
    monkeypatch.setitem(ckan_config, "ckanext.govcat.access.notify", "true")
    yield handler
    controller.stop()


def subject(message: Any) -> str:
    return str(make_header(decode_header(message["Subject"])))


Cells = dict[str, tuple[bool, Callable[[], bool]]]


def assert_cells(persona: str, cells: Cells, noun: str = "data", reached: str = "reached") -> None:
    """Probe every cell of a persona's matrix row (name -> (expected, probe)); fail naming every
    cell whose probe disagrees or whose response was unexpected (an AssertionError inside)."""
    wrong = []
    for cell, (expected, probe) in cells.items():
        try:
            got = probe()
        except AssertionError as err:
            wrong.append(f"{persona} × {cell}: unexpected response {err}")
            continue
        if got != expected:
            wrong.append(f"{persona} × {cell}: {noun} {reached if got else 'withheld'}, "
                         f"expected {reached if expected else 'withheld'}")
    assert not wrong, "\n".join(wrong)
