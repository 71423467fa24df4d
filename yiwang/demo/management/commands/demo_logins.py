from django.core.management.base import BaseCommand

from yiwang.demo.loader import demo_logins


class Command(BaseCommand):
    help = "Print the demo accounts and their passwords."

    def handle(self, *args, **options):
        self.stdout.write("演示账号 Demo logins:")
        for username, password, desc in demo_logins():
            self.stdout.write(f"  {username:<28} {password:<12} {desc}")
