import sys

from django.core.management.base import BaseCommand

from yiwang.catalogue.consistency import bundle_timing_check, consistency_check


class Command(BaseCommand):
    help = ("三级四统: list implementations whose name, basis or type differ from their basic item, and bundles "
            "whose promised days do not cover their members in order; exit 1 if any.")

    def handle(self, *args, **options):
        rows = consistency_check()
        for r in rows:
            self.stdout.write(f"{r.impl_code}\t{r.region}\t{r.label}\t基本目录：{r.basic_value}\t实施清单：{r.impl_value}")
        short = bundle_timing_check()
        for b in short:
            self.stdout.write(f"{b.bundle}\t一件事时限\t{b.label}")
        if rows or short:
            self.stderr.write(f"发现 {len(rows) + len(short)} 处不一致")
            sys.exit(1)
        self.stdout.write("三级四统检查通过：全部一致；每个一件事的承诺时限覆盖其成员的办理顺序")
