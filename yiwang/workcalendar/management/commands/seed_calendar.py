from django.core.management.base import BaseCommand

from yiwang.workcalendar.services import calendar_seed_from_package


class Command(BaseCommand):
    help = "Load official holidays and 调休 days from chinesecalendar for years not yet in the database."

    def add_arguments(self, parser):
        parser.add_argument("--overwrite", action="store_true", help="replace years already loaded")

    def handle(self, *args, overwrite=False, **options):
        years = calendar_seed_from_package(overwrite=overwrite)
        self.stdout.write(f"loaded {len(years)} year(s): {', '.join(map(str, years)) or 'none'}")
