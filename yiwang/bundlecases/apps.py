from django.apps import AppConfig


class BundleCasesConfig(AppConfig):
    name = "yiwang.bundlecases"
    verbose_name = "一件事一次办（办件）"

    def ready(self):
        from yiwang.cases import signals

        from . import receivers

        signals.case_decided.connect(receivers.on_case_decided, dispatch_uid="bundlecases.decided")
        signals.case_transitioned.connect(receivers.on_case_transitioned, dispatch_uid="bundlecases.transitioned")
