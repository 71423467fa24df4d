from django.core.management.base import BaseCommand

from yiwang.demo.loader import load_demo


class Command(BaseCommand):
    help = "Load the demo data set (idempotent: loading twice changes nothing)."

    def handle(self, *args, **options):
        counts = load_demo(with_history=True)
        self.stdout.write("demo data: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
