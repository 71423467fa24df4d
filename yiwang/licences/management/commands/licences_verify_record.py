from django.core.management.base import BaseCommand

from yiwang.licences.services import licences_verification_backfill


class Command(BaseCommand):
    help = "核验尚无核验记录的证照（签名与状态记录）并记录结果，供数据共享（无证明）直接采信"

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true",
                            help="也重新核验记录已不成立的证照（例如更换 YIWANG_MASTER_KEY 之后）")

    def handle(self, *args, **options):
        verified, refused = licences_verification_backfill(recheck=options["all"])
        self.stdout.write(f"已核验并记录 {verified} 个证照；核验未通过 {refused} 个")
