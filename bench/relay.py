"""The worker's part of figure 1: the outbox relayed during the lifecycle run (licences issued and
SM2-signed, ratings invited, after each approval's and delivery's commit), then drained.

`python -m bench.relay PLAN.json` — prints one JSON line: messages relayed, licences issued for the
run's item, pending reactions left, and the seconds from the shared start until the outbox drained.
"""

from __future__ import annotations

import json
import sys
import time


def main() -> int:
    from .common import django_setup

    plan = json.load(open(sys.argv[1], encoding="utf-8"))
    django_setup(plan["url"])
    from yiwang.cases.models import Case
    from yiwang.core.models import OutboxMessage
    from yiwang.core.outbox import outbox_relay
    from yiwang.core.workflow import REACTION_TOPIC
    from yiwang.licences.models import Licence

    while time.time() < plan["start_at"]:
        time.sleep(0.005)
    started = Case.objects.filter(implementation__impl_code=plan["item"]).order_by("-id").values_list("id", flat=True).first() or 0
    relayed = 0
    deadline = plan["stop_at"] + 120  # drain for at most two minutes after the lifecycles stop
    while True:
        n = outbox_relay(send=lambda m: None, limit=200)
        relayed += n
        now = time.time()
        if now >= plan["stop_at"] and (n == 0 or now >= deadline):
            pending = OutboxMessage.objects.filter(topic=REACTION_TOPIC, sent_at__isnull=True).count()
            if pending == 0 or now >= deadline:
                break
        if n == 0:
            time.sleep(0.02)
    elapsed = time.time() - plan["start_at"]
    numbers = Case.objects.filter(implementation__impl_code=plan["item"], id__gt=started).values_list("number", flat=True)
    licences = Licence.objects.filter(case_number__in=numbers).count()
    print(json.dumps({"relayed": relayed, "licences": licences, "pending": pending, "seconds": elapsed}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
