import sys

from django.core.management.base import BaseCommand

from yiwang.catalogue.consistency import consistency_check


class Command(BaseCommand):
    help = "三级四统: list implementations whose name, basis or type differ from their basic item; exit 1 if any."

    def handle(self, *args, **options):
        rows = consistency_check()
        for r in rows:
            self.stdout.write(f"{r.impl_code}\t{r.region}\t{r.label}\t基本目录：{r.basic_value}\t实施清单：{r.impl_value}")
        if rows:
            self.stderr.write(f"发现 {len(rows)} 处不一致")
            sys.exit(1)
        self.stdout.write("三级四统检查通过：全部一致")
