from pathlib import Path

from django.core.management.base import BaseCommand

from yiwang.catalogue.excel import catalogue_export


class Command(BaseCommand):
    help = "Export the catalogue to an Excel workbook that catalogue_import reads back."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        Path(file).write_bytes(catalogue_export())
        self.stdout.write(f"已导出：{file}")
