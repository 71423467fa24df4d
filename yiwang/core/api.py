from ninja import Router, Schema

from .auth import token_issue

router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


@router.post("/auth/token", response=TokenOut, summary="Issue a bearer token")
def auth_token(request, payload: TokenIn):
    return {"token": token_issue(username=payload.username, password=payload.password)}


@router.get("/ping", summary="Minimal JSON endpoint (the benchmark's baseline)")
def ping(request):
    return {"ok": True}
