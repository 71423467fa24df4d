from django.core.management.base import BaseCommand

from yiwang.core.notifications import get_sender
from yiwang.core.outbox import outbox_relay
from yiwang.demo.loader import load_demo

RELAY_ROUNDS = 100  # the demo leaves a few hundred messages; a bound, so a failing reaction cannot loop


class Command(BaseCommand):
    help = "Load the demo data set (idempotent: loading twice changes nothing)."

    def handle(self, *args, **options):
        counts = load_demo(with_history=True)
        self.stdout.write("demo data: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        # What the worker would do after the demo's approvals and deliveries: issue and sign their licences,
        # documents, rating invitations and supervision tasks — so the demo opens complete without `make worker`.
        relayed, send = 0, get_sender().send
        for _ in range(RELAY_ROUNDS):
            sent = outbox_relay(send=send, limit=500)
            relayed += sent
            if not sent:
                break
        self.stdout.write(f"relayed {relayed} outbox messages (licences, documents, invitations, tasks)")
