"""ddmin: the result passes, is 1-minimal, and each distinct subset is tested once."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from skillreducer.reduce.ddmin import CachedTest, ddmin


def test_finds_the_two_needed_elements():
    test = CachedTest(lambda subset: {3, 6} <= set(subset))
    assert ddmin(8, test) == (3, 6)


def test_single_element_and_whole_set():
    assert ddmin(1, CachedTest(lambda s: True)) == (0,)
    # Every element needed: nothing can go.
    assert ddmin(5, CachedTest(lambda s: len(s) == 5)) == (0, 1, 2, 3, 4)


@settings(max_examples=200, deadline=None)
@given(size=st.integers(1, 24), needed=st.sets(st.integers(0, 23), max_size=6), extra=st.integers(0, 3))
def test_result_passes_and_is_one_minimal(size, needed, extra):
    needed = {n for n in needed if n < size}
    # A monotone property: enough of the needed elements plus `extra` others.
    def holds(subset):
        chosen = set(subset)
        return needed <= chosen and len(chosen - needed) >= min(extra, size - len(needed))

    test = CachedTest(holds)
    result = ddmin(size, test)
    assert holds(result)
    if len(result) > 1:  # the empty set is never a candidate (a description is never empty)
        for index in range(len(result)):
            assert not holds(result[:index] + result[index + 1 :])  # 1-minimal


def test_calls_stay_near_n_log_n_for_one_needed_element():
    size = 64
    test = CachedTest(lambda subset: 17 in subset)
    assert ddmin(size, test) == (17,)
    assert test.calls <= 2 * size * math.log2(size)
    # Asking again costs nothing.
    before = test.calls
    test((17,))
    assert test.calls == before
