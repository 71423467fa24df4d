from datetime import datetime

from ninja import Field, Router, Schema

from .auth import require_user, token_days, token_issue, tokens_revoke
from .errors import NotFound
from .models import ApiToken
from .workflow.api import ErrorOut

router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=256)
    name: str = Field("", max_length=64, description="用途，如“省平台对接”")


class TokenOut(Schema):
    token: str
    expires_in_days: int


class TokenRow(Schema):
    id: int
    name: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


@router.post("/auth/token", response={200: TokenOut, 400: ErrorOut, 401: ErrorOut, 429: ErrorOut},
             summary="签发接口令牌（到期失效；登录失败次数过多时锁定）")
def auth_token(request, payload: TokenIn):
    key = token_issue(username=payload.username, password=payload.password, request=request, name=payload.name)
    return {"token": key, "expires_in_days": token_days()}


@router.get("/auth/tokens", response={200: list[TokenRow], 401: ErrorOut}, summary="我的接口令牌")
def my_tokens(request):
    user = require_user(request)
    return list(ApiToken.objects.filter(user=user).order_by("-id")[:100])


@router.delete("/auth/tokens/{token_id}", response={204: None, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
               summary="吊销我的一个接口令牌")
def revoke_token(request, token_id: int):
    user = require_user(request)
    if not tokens_revoke(user=user, token_id=token_id, reason="revoked_by_user", request=request):
        raise NotFound("令牌不存在或已吊销", field="token_id")
    return 204, None


@router.get("/ping", summary="Minimal JSON endpoint (the benchmark's baseline)")
def ping(request):
    return {"ok": True}
