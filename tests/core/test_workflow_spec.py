"""The engine's pure parts: input refusals name the field by its label, declarations are checked,
reactions fire on their actions or on entering their statuses."""

import pytest
from pydantic import Field

from yiwang.core.errors import DomainError
from yiwang.core.workflow import SAME, SYSTEM, ActionInput, Workflow, action, react
from yiwang.core.workflow.inputs import validate


class ExtendIn(ActionInput):
    reason: str = Field(min_length=1, max_length=20, title="延期理由")
    days: int = Field(ge=1, le=10, title="延长天数")


@pytest.mark.parametrize(("raw", "field", "message"), [
    ({"days": 3}, "reason", "请填写延期理由"),
    ({"reason": "   ", "days": 3}, "reason", "请填写延期理由"),
    ({"reason": "x" * 21, "days": 3}, "reason", "延期理由不能超过20个字"),
    ({"reason": "材料核实", "days": "abc"}, "days", "延长天数应为整数"),
    ({"reason": "材料核实", "days": 0}, "days", "延长天数不能小于1"),
    ({"reason": "材料核实", "days": 11}, "days", "延长天数不能大于10"),
])
def test_an_invalid_input_is_refused_at_its_field_by_its_chinese_label(raw, field, message):
    with pytest.raises(DomainError) as caught:
        validate(ExtendIn, raw)
    assert (caught.value.field, caught.value.message, caught.value.code) == (field, message, "invalid")
    assert "：" not in caught.value.message  # no "key：text" for the user to read


def test_a_valid_input_is_stripped_and_typed():
    got = validate(ExtendIn, {"reason": " 材料核实 ", "days": "3", "extra": "ignored"})
    assert (got.reason, got.days) == ("材料核实", 3)


def _wf(**actions):
    return Workflow(
        name="t", label="测试", subject_model=object, event_model=object, event_subject="subject",
        states={"a": "甲", "b": "乙", "end": "终"}, actions=actions, actor_kinds=lambda ctx: set(),
        actor_labels={"clerk": "窗口", SYSTEM: "系统"}, load=lambda s: s, key=lambda s: "k",
        terminal=frozenset({"end"}),
    )


def test_a_declaration_with_an_unknown_state_or_actor_or_an_edge_out_of_a_terminal_state_is_refused():
    with pytest.raises(AssertionError):
        _wf(go=action("go", "走", edges={"a": "nowhere"}, actors={"clerk"}))
    with pytest.raises(AssertionError):
        _wf(go=action("go", "走", edges={"a": "b"}, actors={"stranger"}))
    with pytest.raises(AssertionError):
        _wf(go=action("go", "走", edges={"end": "a"}, actors={"clerk"}))
    wf = _wf(go=action("go", "走", edges={"a": "b", "b": SAME}, actors={"clerk"}))
    assert wf.action_label("go") == "走" and wf.state_label("b") == "乙"


@pytest.mark.parametrize(("action_name", "from_status", "to_status", "fires"), [
    ("approve", "in_review", "approved", True),
    ("review", "accepted", "in_review", False),
    ("refuse", "submitted", "refused", True),
    ("calendar_moved", "refused", "refused", False),  # staying in a status is not entering it
])
def test_a_reaction_fires_on_its_actions_or_on_entering_its_statuses(action_name, from_status, to_status, fires):
    r = react("bundle.member_decided", actions={"approve"}, entering={"refused"})
    assert r.fires(action=action_name, from_status=from_status, to_status=to_status) is fires
