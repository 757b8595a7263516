"""Property: over random sequences of applicant and reviewer actions, the applicant reaches a
resource's data (its link in package_show, the gate's decision) exactly when an approved,
unexpired, unrevoked grant covers it; every refused action is one the state machine forbids."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ckan.plugins.toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.govcat.access import policy, states

from .conftest import ckan_marks, expire_grant

pytestmark = ckan_marks

OPS = ("apply", "submit", "withdraw", "approve", "reject", "return", "revoke", "expire")
op_strategy = st.tuples(st.sampled_from(OPS), st.integers(0, 3),
                        st.sets(st.integers(0, 1), max_size=2))


@dataclass
class Shadow:
    id: str
    state: str
    requested: frozenset[int]
    granted: Optional[frozenset[int]] = None
    grant_id: Optional[str] = None


@dataclass
class Run:
    user: str
    admin: str
    dataset: dict[str, Any]
    apps: list[Shadow] = field(default_factory=list)

    def rid(self, index: int) -> str:
        return self.dataset["resources"][index]["id"]

    def act(self, op: str, pick: int, subset: set[int]) -> None:
        if op == "apply":
            app = call_action("govcat_access_application_create", {"user": self.user},
                              package_id=self.dataset["id"], applicant_type="person",
                              applicant_name="测试", purpose="p", scenario="s", contact="c",
                              resource_ids=[self.rid(i) for i in sorted(subset)],
                              agreement_accepted=True)
            self.apps.append(Shadow(app["id"], "draft", frozenset(subset)))
            return
        if not self.apps:
            return
        shadow = self.apps[pick % len(self.apps)]
        event = "submit" if op == "submit" else op
        reason = "理由"
        try:
            expected: Optional[str] = states.transition(shadow.state, event, reason)  # type: ignore[arg-type]
        except states.TransitionError:
            expected = None
        try:
            self._call(op, shadow, subset, reason)
        except tk.ValidationError:
            assert expected is None, f"{op} refused in state {shadow.state}"
            return
        assert expected is not None, f"{op} accepted in state {shadow.state}"
        shadow.state = expected

    def _call(self, op: str, shadow: Shadow, subset: set[int], reason: str) -> None:
        if op in ("submit", "withdraw"):
            call_action(f"govcat_access_application_{op}", {"user": self.user}, id=shadow.id)
        elif op in ("approve", "reject", "return"):
            narrowed = sorted(subset & shadow.requested) if shadow.requested else sorted(subset)
            extra = {"resource_ids": [self.rid(i) for i in narrowed]} if op == "approve" else {}
            result = call_action("govcat_access_application_decide", {"user": self.admin},
                                 id=shadow.id, decision=op, reason=reason, **extra)
            if op == "approve":
                grant = result["grants"][0]
                shadow.grant_id = grant["id"]
                shadow.granted = frozenset(i for i in (0, 1)
                                           if not grant["resource_ids"]
                                           or self.rid(i) in grant["resource_ids"])
        elif op == "revoke":
            if shadow.grant_id is None:
                raise tk.ValidationError({"id": ["no grant"]})
            call_action("govcat_access_grant_revoke", {"user": self.admin}, id=shadow.grant_id,
                        reason=reason)
        elif op == "expire":
            if shadow.state != "approved" or shadow.grant_id is None:
                raise tk.ValidationError({"id": ["nothing to expire"]})
            expire_grant(shadow.grant_id)
            call_action("govcat_access_grant_expire")

    def check(self) -> None:
        reachable = {i for s in self.apps if s.state == "approved" for i in (s.granted or ())}
        shown = call_action("package_show", {"user": self.user}, id=self.dataset["id"])
        for index, res in enumerate(shown["resources"]):
            assert bool(res["url"]) == (index in reachable), (index, self.apps)
            assert policy.resource_decision(self.user, res["id"]).allowed == \
                (index in reachable)


@pytest.fixture
def parties() -> dict[str, Any]:
    admin = factories.User()
    org = factories.Organization(users=[{"name": admin["name"], "capacity": "admin"}])
    return {"admin": admin["name"], "org": org["id"]}


@settings(max_examples=25, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=st.lists(op_strategy, min_size=1, max_size=12))
def test_no_state_leaks(parties: dict[str, Any], ops: list[Any]) -> None:
    dataset = factories.Dataset(owner_org=parties["org"],
                                extras=[{"key": "open_type", "value": "conditional"}],
                                resources=[{"url": "https://a.example/1.csv"},
                                           {"url": "https://a.example/2.csv"}])
    run = Run(factories.User()["name"], parties["admin"], dataset)
    run.check()
    for op, pick, subset in ops:
        run.act(op, pick, set(subset))
        run.check()
