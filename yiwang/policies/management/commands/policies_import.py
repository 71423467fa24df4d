"""Import 一企一档 figures from a department's Excel/CSV export:
    manage.py policies_import 税务2025.xlsx --source 税务（年度申报） --as-of 2026-04-30"""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from yiwang.core.errors import DomainError
from yiwang.policies.adapters import LocalFileSource
from yiwang.policies.services import profile_import


class Command(BaseCommand):
    help = "从 Excel/CSV 导入一企一档数据（每个取值记录来源与日期）"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--source", required=True, help="数据来源，如 税务（年度申报）")
        parser.add_argument("--as-of", required=True, help="数据日期 YYYY-MM-DD")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        try:
            source = LocalFileSource(content=path.read_bytes(), filename=path.name, name=opts["source"],
                                     as_of=date.fromisoformat(opts["as_of"]))
            result = profile_import(source=source)
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"已导入 {result['records']} 条（来源：{result['source']}）")
