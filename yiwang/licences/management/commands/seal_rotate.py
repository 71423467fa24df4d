from django.core.management.base import BaseCommand, CommandError

from yiwang.core.errors import DomainError
from yiwang.licences.services import seal_rotate
from yiwang.organisations.models import Unit


class Command(BaseCommand):
    help = "轮换单位的行政审批专用章：原印章停用（已签证照仍可核验），启用新密钥对"

    def add_arguments(self, parser):
        parser.add_argument("unit_code")

    def handle(self, *args, unit_code, **options):
        unit = Unit.objects.filter(code=unit_code).first()
        if unit is None:
            raise CommandError(f"未找到单位：{unit_code}")
        try:
            seal = seal_rotate(unit=unit)
        except DomainError as exc:
            raise CommandError(exc.message)
        self.stdout.write(f"已启用新印章 {seal.name}（印章 #{seal.pk}）\n公钥：{seal.public_key}")
