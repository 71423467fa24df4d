from django.core.management.base import BaseCommand

from yiwang.licences.services import licences_expire


class Command(BaseCommand):
    help = "将有效期已届满的证照标记为失效"

    def handle(self, *args, **options):
        count = licences_expire()
        self.stdout.write(f"已标记失效 {count} 个证照")
