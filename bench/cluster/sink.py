"""The notification gateway of a cluster or soak run (YIWANG_NOTIFICATION_SENDER in the workers).

It stands in for an SMS platform that takes a client message id: every attempt is appended to a
Redis list (`<prefix>:attempts`), and a message is delivered to its recipient — appended to
`<prefix>:delivered` — only the first time its idempotency key is seen. The run counts both:
the same outbox row handed over twice (a worker killed between the hand-over and its commit) and a
message that reached the recipient twice (two rows for one message, or a key that changed).
"""

from __future__ import annotations

import json
import os

from yiwang.core.notifications import idempotency_key

_client = None


def _redis():
    global _client
    if _client is None:
        import redis

        _client = redis.Redis.from_url(os.environ["YIWANG_REDIS_URL"])
    return _client


def sink_prefix() -> str:
    return os.environ.get("YIWANG_REDIS_PREFIX", "yiwang") + ":sink"


# One script, so that a worker killed mid-call leaves either all of it or none (Redis runs it whole).
_SEND = """
redis.call('rpush', KEYS[1], ARGV[1])
if redis.call('set', KEYS[2], 1, 'NX') then redis.call('rpush', KEYS[3], ARGV[1]) end
"""


class RecordingSender:
    def send(self, message) -> None:
        prefix = sink_prefix()
        row = json.dumps({"id": message.pk, "topic": message.topic, "payload": message.payload, "pid": os.getpid()},
                         ensure_ascii=False, default=str)
        _redis().eval(_SEND, 3, f"{prefix}:attempts", f"{prefix}:key:{idempotency_key(message)}",
                      f"{prefix}:delivered", row)


def sink_rows(redis_url: str, prefix: str, which: str) -> list[dict]:
    """The rows of one list ("attempts" or "delivered"), read by the run at the end."""
    import redis

    r = redis.Redis.from_url(redis_url)
    return [json.loads(x) for x in r.lrange(f"{prefix}:sink:{which}", 0, -1)]
