"""`python -m yiwang.localkeys var`: the demo's own random secret key and seal master key, made once
under var/ (mode 0600) and reused on every later `make run` and `make worker`, so that the demo runs
with DEBUG off and never with a published key. A real deployment sets YIWANG_SECRET_KEY and
YIWANG_MASTER_KEY (or their *_FILE) itself."""

import os
import secrets
import sys
from pathlib import Path

FILES = ("secret_key", "master_key")


def ensure_keys(var_dir: Path) -> list[Path]:
    var_dir.mkdir(parents=True, exist_ok=True)
    made = []
    for name in FILES:
        path = var_dir / name
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(secrets.token_urlsafe(48) + "\n")
            made.append(path)
    return made


if __name__ == "__main__":
    for p in ensure_keys(Path(sys.argv[1] if len(sys.argv) > 1 else "var")):
        print(f"已生成本地密钥 {p}（请勿提交或外传）")
