import sys

from django.core.management.base import BaseCommand

from yiwang.core.audit import audit_seal, audit_verify


class Command(BaseCommand):
    help = "安全审计：封存待封存的审计记录，并校验整条 SM3 哈希链（断开时退出码为 1）"

    def handle(self, *args, **options):
        sealed = audit_seal()
        check = audit_verify()
        self.stdout.write(f"封存 {sealed} 条。{check.message}")
        if not check.ok:
            sys.exit(1)
