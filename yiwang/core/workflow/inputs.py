"""Turning a pydantic validation error into a Chinese refusal that names the field by its label."""

from __future__ import annotations

from pydantic import BaseModel, ValidationError

from yiwang.core.errors import DomainError, FieldError, strip_key_prefix

from .spec import Refusal

# The one table of pydantic error types in Chinese, for the actions' inputs and for the JSON API.
REASONS = {
    "missing": "请填写{label}",
    "string_too_short": "请填写{label}",
    "string_too_long": "{label}不能超过{max_length}个字",
    "string_type": "{label}应为文字",
    "string_pattern_mismatch": "{label}格式不正确",
    "int_parsing": "{label}应为整数",
    "int_type": "{label}应为整数",
    "int_from_float": "{label}应为整数",
    "float_parsing": "{label}应为数字",
    "float_type": "{label}应为数字",
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
    "model_type": "{label}应为对象",
    "model_attributes_type": "{label}格式不正确",
    "date_parsing": "{label}应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "{label}应为日期（YYYY-MM-DD）",
    "date_type": "{label}应为日期（YYYY-MM-DD）",
    "datetime_parsing": "{label}应为时间（ISO 8601）",
    "datetime_type": "{label}应为时间（ISO 8601）",
    "too_long": "{label}最多{max_length}项",
    "too_short": "{label}至少{min_length}项",
    "json_invalid": "请求体不是合法的 JSON",
    "value_error": "{label}：{error}",
}


def reason_of(error: dict, label: str) -> str:
    """One pydantic error (type, ctx) as a Chinese sentence naming the field by its label."""
    template = REASONS.get(error.get("type", ""), "{label}格式不正确")
    ctx = dict(error.get("ctx") or {})
    if "error" in ctx:  # a validator's ValueError: its text, without an old-style "key：" prefix
        ctx["error"] = strip_key_prefix(str(ctx["error"]))
    try:
        return template.format(label=label, **ctx)
    except (KeyError, IndexError):
        return f"{label}格式不正确"


def label_of(schema: type[BaseModel], loc: tuple) -> tuple[str | None, str]:
    """(field key, its Chinese label) for an error location."""
    key = next((str(p) for p in loc if isinstance(p, str)), None)
    if key is None:
        return None, "内容"
    info = schema.model_fields.get(key)
    return key, (info.title if info is not None and info.title else key)


def field_errors(schema: type[BaseModel], exc: ValidationError) -> list[FieldError]:
    """Every error of the validation (pydantic reports them all), each at its field."""
    out = []
    for e in exc.errors(include_url=False):
        key, label = label_of(schema, e.get("loc", ()))
        out.append(FieldError(key, reason_of(e, label)))
    return out


def refusal_from(schema: type[BaseModel], exc: ValidationError) -> Refusal:
    key, message = field_errors(schema, exc)[0]
    return Refusal("invalid", message, key)


def validate(schema: type[BaseModel], raw) -> BaseModel:
    if isinstance(raw, schema):
        return raw
    if isinstance(raw, BaseModel):
        raw = raw.model_dump()
    try:
        return schema.model_validate(raw or {})
    except ValidationError as exc:
        errors = field_errors(schema, exc)
        raise DomainError("", errors=errors, code="invalid") from None
