"""Pure code of the access room: the state machine, working-day deadlines, the USCC check."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest

from ckanext.govcat.access import states, workdays

D = dt.date

ALLOWED = {
    ("draft", "submit"): "submitted", ("returned", "submit"): "submitted",
    ("draft", "withdraw"): "withdrawn", ("submitted", "withdraw"): "withdrawn",
    ("returned", "withdraw"): "withdrawn", ("submitted", "approve"): "approved",
    ("submitted", "reject"): "rejected", ("submitted", "return"): "returned",
    ("approved", "revoke"): "revoked", ("approved", "expire"): "expired",
}


class TestStateMachine:
    @pytest.mark.parametrize("state,event", list(itertools.product(states.STATES,
                                                                   list(states.RULES))))
    def test_every_pair(self, state, event):
        expected = ALLOWED.get((state, event))
        if expected is None:
            with pytest.raises(states.TransitionError, match="不能执行") as err:
                states.transition(state, event, "理由")
            assert f"“{states.EVENT_LABELS[event]}”" in str(err.value)  # in Chinese
            assert err.value.field == "state"
        else:
            assert states.transition(state, event, "理由") == expected

    @pytest.mark.parametrize("state,event", [("submitted", "reject"), ("submitted", "return"),
                                             ("approved", "revoke")])
    def test_reason_required(self, state, event):
        for reason in (None, "", "   "):
            with pytest.raises(states.TransitionError, match="理由") as err:
                states.transition(state, event, reason)
            assert err.value.field == "reason"

    def test_unknown_event(self):
        with pytest.raises(states.TransitionError, match="未知操作"):
            states.transition("draft", "approve_all", "x")  # type: ignore[arg-type]

    def test_final_states_have_no_way_out(self):
        for state in states.FINAL:
            assert states.allowed_events(state) == []


class TestWorkingDays:
    def test_within_a_week(self):
        assert workdays.add_working_days(D(2026, 11, 16), 3) == D(2026, 11, 19)  # Mon -> Thu

    def test_across_weekend(self):
        assert workdays.add_working_days(D(2026, 11, 20), 1) == D(2026, 11, 23)  # Fri -> Mon
        assert workdays.add_working_days(D(2026, 11, 21), 1) == D(2026, 11, 23)  # Sat -> Mon

    def test_default_ten_days_is_two_weeks(self):
        assert workdays.add_working_days(D(2026, 11, 16), 10) == D(2026, 11, 30)

    def test_holidays_skipped(self):
        national_day = [D(2026, 10, d) for d in range(1, 8)]
        # Wed 30 Sep + 2 working days, 1-7 Oct off (Thu..Wed) -> Thu 8, Fri 9
        assert workdays.add_working_days(D(2026, 9, 30), 2, national_day) == D(2026, 10, 9)

    def test_worked_weekend_counts(self):
        assert workdays.add_working_days(D(2026, 10, 9), 1, (), [D(2026, 10, 10)]) == \
            D(2026, 10, 10)

    def test_zero_and_negative(self):
        assert workdays.add_working_days(D(2026, 11, 21), 0) == D(2026, 11, 21)
        with pytest.raises(ValueError):
            workdays.add_working_days(D(2026, 11, 21), -1)

    def test_between(self):
        assert workdays.working_days_between(D(2026, 11, 16), D(2026, 11, 30)) == 10
        assert workdays.working_days_between(D(2026, 11, 30), D(2026, 11, 16)) == -10
        assert workdays.working_days_between(D(2026, 11, 20), D(2026, 11, 23),
                                             [D(2026, 11, 23)]) == 0


