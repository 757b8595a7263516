"""The application state machine, as pure code (no CKAN imports).

draft → submitted → approved | rejected | returned; returned → submitted (resubmit);
approved → expired | revoked; draft | submitted | returned → withdrawn (before a decision).
Reject, return and revoke need a reason.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

State = Literal["draft", "submitted", "approved", "rejected", "returned", "withdrawn",
                "expired", "revoked"]
Event = Literal["submit", "approve", "reject", "return", "withdraw", "expire", "revoke"]
Role = Literal["applicant", "reviewer", "system"]

STATES: tuple[State, ...] = ("draft", "submitted", "approved", "rejected", "returned",
                             "withdrawn", "expired", "revoked")
EDITABLE: frozenset[State] = frozenset({"draft", "returned"})
PENDING: frozenset[State] = frozenset({"submitted"})
FINAL: frozenset[State] = frozenset({"rejected", "withdrawn", "expired", "revoked"})


@dataclass(frozen=True)
class Rule:
    sources: frozenset[State]
    target: State
    role: Role
    needs_reason: bool = False


RULES: dict[Event, Rule] = {
    "submit": Rule(frozenset({"draft", "returned"}), "submitted", "applicant"),
    "withdraw": Rule(frozenset({"draft", "submitted", "returned"}), "withdrawn", "applicant"),
    "approve": Rule(frozenset({"submitted"}), "approved", "reviewer"),
    "reject": Rule(frozenset({"submitted"}), "rejected", "reviewer", needs_reason=True),
    "return": Rule(frozenset({"submitted"}), "returned", "reviewer", needs_reason=True),
    "revoke": Rule(frozenset({"approved"}), "revoked", "reviewer", needs_reason=True),
    "expire": Rule(frozenset({"approved"}), "expired", "system"),
}

STATE_LABELS: dict[State, str] = {
    "draft": "草稿", "submitted": "待审核", "approved": "已批准", "rejected": "已驳回",
    "returned": "退回修改", "withdrawn": "已撤回", "expired": "已过期", "revoked": "已撤销",
}


# A grant's state (``Grant.state``) in the pages.
GRANT_STATE_LABELS: dict[str, str] = {
    "active": "有效", "pending": "未到开始日期", "expired": "已过期", "revoked": "已撤销",
}

EVENT_LABELS: dict[Event, str] = {
    "submit": "提交", "approve": "批准", "reject": "驳回", "return": "退回修改",
    "withdraw": "撤回", "expire": "到期", "revoke": "撤销",
}


class TransitionError(ValueError):
    """A transition that the state machine does not allow; ``str()`` is a message for users,
    ``field`` the input it is about (``state``, or ``reason`` when a reason is missing)."""

    def __init__(self, message: str, field: str = "state") -> None:
        super().__init__(message)
        self.field = field


def transition(state: State, event: Event, reason: Optional[str] = None) -> State:
    """The state after ``event`` in ``state``; raises TransitionError when not allowed."""
    rule = RULES.get(event)
    if rule is None:
        raise TransitionError(f"未知操作：{event}")
    if state not in rule.sources:
        raise TransitionError(f"申请当前状态为“{STATE_LABELS.get(state, state)}”，"
                              f"不能执行“{EVENT_LABELS[event]}”操作")
    if rule.needs_reason and not (reason or "").strip():
        raise TransitionError("驳回、退回修改或撤销时必须填写理由", field="reason")
    return rule.target


def allowed_events(state: State) -> list[Event]:
    return [event for event, rule in RULES.items() if state in rule.sources]
