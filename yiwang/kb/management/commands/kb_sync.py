from django.core.management.base import BaseCommand

from yiwang.kb.services import kb_sync


class Command(BaseCommand):
    help = "从事项目录生成或更新知识库文章（办事指南、一件事明白卡）"

    def handle(self, *args, **options):
        counts = kb_sync()
        self.stdout.write(f"知识库已同步：更新 {counts['changed']} 篇，下线 {counts['retired']} 篇")
