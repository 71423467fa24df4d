"""The case workflow's reaction → the documents a hall prints, after commit (from the outbox).

Rendering and sealing a PDF is slow next to a transition, so it is not in the transition's
transaction: the engine writes an outbox row there, and the relay runs this once (see services)."""

from yiwang.core.workflow.reactions import reaction

from . import services


@reaction("documents.issue_for_case")
def issue_for_case(*, payload: dict) -> None:
    services.document_issue(case_number=payload["key"], event_id=payload["event"], action=payload["action"])
