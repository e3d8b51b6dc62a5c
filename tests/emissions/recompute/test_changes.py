"""Which months a factor change touches: exactly where what is in force differs."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from emissions.recompute.changes import FactorState, merge_windows, touched_windows, window_difference

D = dt.date
START = D(2023, 1, 1)


def state(value=1.0, start=START, end=None, approved=True) -> FactorState:
    return FactorState(1, "grid_intensity_location", "zone", 7, approved, (value, None, None), start, end)


def test_a_new_factor_touches_its_whole_period():
    assert touched_windows(None, state(start=D(2025, 1, 1))) == ((D(2025, 1, 1), None),)


def test_a_draft_touches_nothing():
    assert touched_windows(None, state(approved=False)) == ()


def test_closing_an_open_factor_touches_only_the_days_it_lost():
    before = state(start=D(2023, 1, 1), end=None)
    after = state(start=D(2023, 1, 1), end=D(2025, 1, 1))
    assert touched_windows(before, after) == ((D(2025, 1, 1), None),)


def test_a_new_value_touches_the_union_of_old_and_new_periods():
    before = state(value=1.0, start=D(2023, 1, 1), end=D(2024, 1, 1))
    after = state(value=2.0, start=D(2023, 6, 1), end=D(2024, 6, 1))
    assert touched_windows(before, after) == ((D(2023, 1, 1), D(2024, 6, 1)),)


def test_retiring_a_factor_touches_its_period():
    before = state(start=D(2023, 1, 1), end=D(2024, 1, 1))
    after = state(start=D(2023, 1, 1), end=D(2024, 1, 1), approved=False)
    assert touched_windows(before, after) == ((D(2023, 1, 1), D(2024, 1, 1)),)


def test_window_difference_and_merge():
    assert window_difference((D(2023, 1, 1), None), (D(2024, 1, 1), D(2025, 1, 1))) == [
        (D(2023, 1, 1), D(2024, 1, 1)),
        (D(2025, 1, 1), None),
    ]
    assert merge_windows([(D(2024, 1, 1), None), (D(2023, 1, 1), D(2024, 1, 1))]) == ((D(2023, 1, 1), None),)


DAY0 = D(2023, 1, 1)
days = st.integers(min_value=0, max_value=60)


@st.composite
def states(draw):
    start = draw(days)
    end = draw(st.one_of(st.none(), st.integers(min_value=start + 1, max_value=61)))
    return state(
        value=draw(st.sampled_from([1.0, 2.0])),
        start=DAY0 + dt.timedelta(start),
        end=None if end is None else DAY0 + dt.timedelta(end),
        approved=draw(st.booleans()),
    )


def in_force(s: FactorState | None, day: dt.date):
    if s is None or not s.approved or day < s.valid_from or (s.valid_to is not None and day >= s.valid_to):
        return None
    return s.value


def inside(windows, day: dt.date) -> bool:
    return any(start <= day and (end is None or day < end) for start, end in windows)


@given(before=st.one_of(st.none(), states()), after=states())
def test_touched_windows_cover_every_day_whose_value_changes(before, after):
    windows = touched_windows(before, after)
    for offset in range(0, 70):
        day = DAY0 + dt.timedelta(offset)
        if in_force(before, day) != in_force(after, day):
            assert inside(windows, day), (day, windows)


@given(before=states(), after=states())
def test_a_moved_period_touches_no_day_whose_value_stays(before, after):
    after = FactorState(**{**after.__dict__, "value": before.value, "approved": True})
    before = FactorState(**{**before.__dict__, "approved": True})
    windows = touched_windows(before, after)
    for offset in range(0, 70):
        day = DAY0 + dt.timedelta(offset)
        if in_force(before, day) == in_force(after, day):
            assert not inside(windows, day), (day, windows)
