from django.apps import AppConfig
from django.core import checks


class LicencesConfig(AppConfig):
    name = "yiwang.licences"
    verbose_name = "电子证照"

    def ready(self):
        checks.register(master_key_check)
        checks.register(master_key_check_deploy, deploy=True)
        from . import reactions  # noqa: F401 - registers its reactions to the case workflow


def master_key_check(app_configs=None, **kwargs):
    from .crypto import master_key_is_configured

    if master_key_is_configured():
        return []
    return [checks.Warning(
        "YIWANG_MASTER_KEY 未设置：印章私钥以由 SECRET_KEY 派生的密钥加密，仅适用于开发和演示。",
        hint="生产环境请设置 YIWANG_MASTER_KEY（至少32个随机字符），并妥善备份；更换后原有印章私钥无法解密。",
        id="licences.W001",
    )]


def master_key_check_deploy(app_configs=None, **kwargs):
    from .crypto import master_key_is_configured

    if master_key_is_configured():
        return []
    return [checks.Error("部署环境必须设置 YIWANG_MASTER_KEY（电子印章私钥的主密钥）", id="licences.E001")]
