"""Receivers for the case engine's hooks (yiwang.cases.signals). Not connected here: the lead wires
them, e.g. in LicencesConfig.ready() or the cases app, with

    from yiwang.cases import signals
    from yiwang.licences import receivers
    signals.case_decided.connect(receivers.on_case_decided, dispatch_uid="licences.decided")
    signals.case_revoked.connect(receivers.on_case_revoked, dispatch_uid="licences.revoked")

Both run inside the case's transaction: a failure to issue undoes the decision, as it should (a
result must be sealed)."""

from .services import licence_issue_for_case, licence_revoke_for_case


def on_case_decided(sender, case, decision, **kwargs):
    if decision == "approved":
        return licence_issue_for_case(case)
    return None


def on_case_revoked(sender, case, reason, **kwargs):
    return licence_revoke_for_case(case, reason or "告知承诺事后核查未通过")
