"""Turning a pydantic validation error into a Chinese refusal that names the field by its label."""

from __future__ import annotations

from pydantic import BaseModel, ValidationError

from .spec import Refusal

_REASONS = {
    "missing": "请填写{label}",
    "string_too_short": "请填写{label}",
    "string_too_long": "{label}不能超过{max_length}个字",
    "string_type": "{label}应为文字",
    "int_parsing": "{label}应为整数",
    "int_type": "{label}应为整数",
    "int_from_float": "{label}应为整数",
    "float_parsing": "{label}应为数字",
    "bool_parsing": "请选择{label}",
    "bool_type": "请选择{label}",
    "greater_than_equal": "{label}不能小于{ge}",
    "greater_than": "{label}应大于{gt}",
    "less_than_equal": "{label}不能大于{le}",
    "less_than": "{label}应小于{lt}",
    "literal_error": "{label}的取值不在允许范围内",
    "enum": "{label}的取值不在允许范围内",
    "list_type": "{label}应为列表",
    "dict_type": "{label}应为对象",
    "date_parsing": "{label}应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "{label}应为日期（YYYY-MM-DD）",
    "too_long": "{label}最多{max_length}项",
    "value_error": "{label}：{error}",
}


def label_of(schema: type[BaseModel], loc: tuple) -> tuple[str | None, str]:
    """(field key, its Chinese label) for an error location."""
    key = next((str(p) for p in loc if isinstance(p, str)), None)
    if key is None:
        return None, "内容"
    info = schema.model_fields.get(key)
    return key, (info.title if info is not None and info.title else key)


def refusal_from(schema: type[BaseModel], exc: ValidationError) -> Refusal:
    first = exc.errors(include_url=False)[0]
    key, label = label_of(schema, first.get("loc", ()))
    template = _REASONS.get(first.get("type", ""), "{label}格式不正确")
    ctx = {k: v for k, v in (first.get("ctx") or {}).items()}
    try:
        message = template.format(label=label, **ctx)
    except (KeyError, IndexError):
        message = f"{label}格式不正确"
    return Refusal("invalid", message, key)


def validate(schema: type[BaseModel], raw) -> BaseModel:
    if isinstance(raw, schema):
        return raw
    if isinstance(raw, BaseModel):
        raw = raw.model_dump()
    try:
        return schema.model_validate(raw or {})
    except ValidationError as exc:
        raise refusal_from(schema, exc).error() from None
