"""A calendar change recomputes every deadline holder, in the background (a django task)."""

from datetime import date

from django.dispatch import receiver

from yiwang.workcalendar.signals import calendar_changed


@receiver(calendar_changed, dispatch_uid="core.workflow.calendar_changed")
def on_calendar_changed(sender, since: date, **kwargs) -> None:
    from .tasks import deadlines_recompute

    deadlines_recompute.enqueue(since=since.isoformat())
