"""岗位效能评价: the score's parts and weighting, as a table."""

import pytest

from yiwang.dashboards import efficiency as E

W = E.DEFAULT_WEIGHTS


def pv(good=None, bad=None, rect=None, bad_count=0, on_time=None, decided=0):
    return E.PartValues(good, bad, rect, bad_count, on_time, decided)


@pytest.mark.parametrize("values, most, expected", [
    # everything measured
    (pv(90, 10, 50, 2, 80, 50), 100, {"satisfaction": 90, "bad": 90, "rectification": 50, "on_time": 80,
                                      "volume": 50}),
    # rated, no bad review: nothing to rectify counts as 100
    (pv(100, 0, None, 0, 100, 10), 10, {"satisfaction": 100, "bad": 100, "rectification": 100, "on_time": 100,
                                        "volume": 100}),
    # never rated: the rating parts are not measured
    (pv(None, None, None, 0, 75, 4), 8, {"satisfaction": None, "bad": None, "rectification": None, "on_time": 75,
                                         "volume": 50}),
    # nothing decided: no on-time rate, no volume
    (pv(80, 20, 0, 1, None, 0), 8, {"satisfaction": 80, "bad": 80, "rectification": 0, "on_time": None,
                                    "volume": None}),
])
def test_part_scores(values, most, expected):
    assert E.part_scores(values, most_decided=most) == expected


@pytest.mark.parametrize("parts, weights, expected", [
    ({"satisfaction": 90, "bad": 90, "rectification": 50, "on_time": 80, "volume": 50}, W,
     round((90 * 30 + 90 * 15 + 50 * 15 + 80 * 30 + 50 * 10) / 100, 2)),
    # an unmeasured part's weight is shared among the measured ones
    ({"satisfaction": None, "bad": None, "rectification": None, "on_time": 75, "volume": 50}, W,
     round((75 * 30 + 50 * 10) / 40, 2)),
    # a weight of 0 leaves its part out
    ({"satisfaction": 100, "bad": 100, "rectification": 100, "on_time": 0, "volume": 100},
     {**W, "on_time": 0}, 100.0),
    ({p: None for p in W}, W, None),
])
def test_score_is_the_weighted_mean_of_what_was_measured(parts, weights, expected):
    assert E.score(parts, weights) == expected


def test_ranking_puts_the_best_first_then_the_busier_and_the_unmeasured_last():
    ranked = E.scores({
        "a": pv(100, 0, None, 0, 100, 10),
        "b": pv(100, 0, None, 0, 100, 20),
        "c": pv(),
        "d": pv(50, 50, 0, 5, 50, 20),
    }, W)
    assert [s.key for s in ranked] == ["b", "a", "d", "c"]
    assert ranked[-1].score is None


@pytest.mark.parametrize("weights, bad_part", [
    ({**W, "volume": 101}, "volume"),
    ({**W, "bad": -1}, "bad"),
    ({**W, "on_time": "abc"}, "on_time"),
    ({**W, "on_time": "2.5"}, "on_time"),
    ({p: 0 for p in W}, "satisfaction"),
])
def test_bad_weights_name_the_part(weights, bad_part):
    with pytest.raises(ValueError) as exc:
        E.weights_check(weights)
    assert exc.value.args == (bad_part,)


def test_weights_missing_a_part_count_it_as_zero():
    assert E.weights_check({"on_time": "60", "satisfaction": 40}) == {
        "satisfaction": 40, "bad": 0, "rectification": 0, "on_time": 60, "volume": 0}
