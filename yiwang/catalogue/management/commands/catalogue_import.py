from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from yiwang.catalogue.excel import CatalogueImportError, catalogue_import


class Command(BaseCommand):
    help = "Import the catalogue from an Excel workbook (事项, 材料, 实施清单, 赋权, 一件事); all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            summary = catalogue_import(path.read_bytes())
        except CatalogueImportError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"导入失败：共 {len(exc.problems)} 处问题，未导入任何数据")
        self.stdout.write("导入成功：" + "，".join(f"{k} {v} 行" for k, v in summary.items()))
