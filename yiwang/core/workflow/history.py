"""One event base for every workflow: append-only history.

A concrete event model adds a foreign key to its subject (on_delete=PROTECT, never CASCADE) named
as its workflow's `event_subject`, and a unique (subject, seq) constraint. Rows are never updated or
deleted: saving an existing row, deleting one, and queryset update()/delete() all raise.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class HistoryIsAppendOnly(Exception):
    """History rows are appended, never edited or deleted."""


class HistoryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise HistoryIsAppendOnly(f"{self.model.__name__} rows are never updated")

    def delete(self):
        raise HistoryIsAppendOnly(f"{self.model.__name__} rows are never deleted")

    def _raw_delete(self, using):  # Django's signature, so a raw delete is refused, not a TypeError
        raise HistoryIsAppendOnly(f"{self.model.__name__} rows are never deleted")


class EventBase(models.Model):
    seq = models.PositiveIntegerField("序号")  # the subject's version after this event
    action = models.CharField("动作", max_length=32)
    from_status = models.CharField("原状态", max_length=24, blank=True, default="")
    to_status = models.CharField("新状态", max_length=24)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    actor_kind = models.CharField("身份", max_length=16)
    at = models.DateTimeField("时间")  # business time: a timer acts as of its due time
    on = models.DateField("业务日期")
    reason = models.TextField("理由", blank=True, default="")
    data = models.JSONField(default=dict, blank=True)
    deadline = models.DateField("此后期限", null=True, blank=True)

    objects = HistoryQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise HistoryIsAppendOnly(f"{type(self).__name__} rows are never updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise HistoryIsAppendOnly(f"{type(self).__name__} rows are never deleted")
