from django.core.management.base import BaseCommand, CommandError

from yiwang.core.errors import DomainError
from yiwang.licences.services import seal_create
from yiwang.organisations.models import Unit


class SealCommand(BaseCommand):
    """A unit's seal by its code: seal_create makes it, seal_rotate replaces it."""

    action = staticmethod(seal_create)
    done = "已制作"

    def add_arguments(self, parser):
        parser.add_argument("unit_code")

    def handle(self, *args, unit_code, **options):
        unit = Unit.objects.filter(code=unit_code).first()
        if unit is None:
            raise CommandError(f"未找到单位：{unit_code}")
        try:
            seal = self.action(unit=unit)
        except DomainError as exc:
            raise CommandError(exc.message)
        self.stdout.write(f"{self.done} {seal.name}（印章 #{seal.pk}）\n公钥：{seal.public_key}")


class Command(SealCommand):
    help = "为单位制作行政审批专用章（SM2 密钥对，私钥以主密钥加密保存）"
