from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from yiwang.core.errors import DomainError
from yiwang.workcalendar.services import calendar_import_year


class Command(BaseCommand):
    help = "Import one year's holidays and 调休 working days from a CSV (date,kind,name) or JSON file."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        try:
            year, count = calendar_import_year(content=path.read_bytes(), filename=path.name)
        except DomainError as exc:
            raise CommandError(exc.message)
        self.stdout.write(f"imported {year}: {count} day(s)")
