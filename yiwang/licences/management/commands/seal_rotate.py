from yiwang.licences.management.commands.seal_create import SealCommand
from yiwang.licences.services import seal_rotate


class Command(SealCommand):
    help = "轮换单位的行政审批专用章：原印章停用（已签证照仍可核验），启用新密钥对"
    action = staticmethod(seal_rotate)
    done = "已启用新印章"
