"""A workflow declared as data: its states, its actions, and per action the edges, the actors, the
input schema, the guards, the effect, the legal basis and the reactions.

Nothing here touches the database: `engine.apply` reads a declaration and does the work. A module
declares its workflow once (e.g. `yiwang/cases/workflow.py`) and calls `apply` from its services.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from yiwang.core.errors import Conflict, DomainError, Forbidden, NotFound

SAME = "="  # an edge that records something without changing the status
SYSTEM = "system"  # the actor kind of a timer, the calendar, or a reaction of another workflow


@dataclass(frozen=True)
class Refusal:
    """Why an action is refused: a stable code, the field it concerns and a Chinese message for the user.

    The message names the field by its label, never by its key; the key travels in `field`.
    """

    code: str
    message: str
    field: str | None = None
    status: int = 400  # 409 where the record's state is what refuses (already done, still open items)

    def error(self) -> DomainError:
        cls = {403: Forbidden, 404: NotFound, 409: Conflict}.get(self.status, DomainError)
        return cls(self.message, field=self.field, code=self.code)


class NoInput(BaseModel):
    """The input of an action that takes none (extra keys are ignored, as a form posts more)."""

    model_config = ConfigDict(extra="ignore")


class ActionInput(BaseModel):
    """Base of every action's input schema: unknown keys ignored, strings stripped."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


@dataclass(frozen=True)
class Guard:
    """A pure check of the subject (and, where `needs_input`, of the action's input).

    `available_actions` evaluates only the guards that need no input; an action whose input guards
    remain is shown as a form asking for that input.
    """

    fn: Callable[[Context], Refusal | None]
    needs_input: bool = False

    @property
    def name(self) -> str:
        return self.fn.__name__


def guard(fn=None, *, needs_input: bool = False):
    """Decorator: `@guard` or `@guard(needs_input=True)` turns a function into a Guard."""
    if fn is None:
        return lambda f: Guard(f, needs_input=needs_input)
    return Guard(fn, needs_input=needs_input)


@dataclass
class Effect:
    """What an action's effect function asks for beyond the fields it set on the context.

    timers: {kind: due_at, or None to cancel}; notice: the text the subject's party is told (the
    workflow's `notify` writes it to the outbox); reason: the event's reason when the effect
    supplies one (a timer's legal wording); to: the target status when the effect decides it among
    the edge's (hotline arbitration); outbox: further (topic, payload) rows.
    """

    timers: dict[str, datetime | None] = field(default_factory=dict)
    notice: str = ""
    reason: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    to: str | None = None
    outbox: list[tuple[str, dict]] = field(default_factory=list)


@dataclass(frozen=True)
class Action:
    name: str
    label: str  # Chinese, as users see it on buttons and in timelines
    edges: dict[str, str]  # from status -> to status (SAME: stays)
    actors: frozenset[str]
    input: type[BaseModel] = NoInput
    guards: tuple[Guard, ...] = ()
    effect: Callable[[Context], Effect | None] | None = None
    basis: str = ""  # legal basis, e.g. "《行政许可法》第三十二条"
    confirm: str = ""  # irreversible: the question the page asks before acting
    label_en: str = ""

    @property
    def system_only(self) -> bool:
        return self.actors == frozenset({SYSTEM})


def action(name: str, label: str, *, edges: dict[str, str], actors: set[str] | frozenset[str], **kw) -> Action:
    return Action(name=name, label=label, edges=dict(edges), actors=frozenset(actors), **kw)


def edges_from(statuses, to: str) -> dict[str, str]:
    """Every status in `statuses` goes to `to`."""
    return dict.fromkeys(statuses, to)


@dataclass(frozen=True)
class React:
    """A declared reaction: the registered function `name` runs after `actions` (or when the
    subject enters one of `entering`), in the order the workflow lists its reactions.

    In the transaction (after_commit False): for what must hold with the change (a bundle member
    starts when its waits are approved). After commit (True): from the outbox, exactly once, for
    what may follow (a licence signed, a rating invited, a message sent)."""

    name: str
    actions: frozenset[str] = frozenset()
    entering: frozenset[str] = frozenset()
    after_commit: bool = False

    def fires(self, *, action: str, from_status: str, to_status: str) -> bool:
        if action in self.actions:
            return True
        return to_status in self.entering and from_status != to_status


def react(name: str, *, actions=(), entering=(), after_commit: bool = False) -> React:
    return React(name=name, actions=frozenset(actions), entering=frozenset(entering), after_commit=after_commit)


@dataclass
class Workflow:
    """One workflow. `subject_model` has `status` and `version` (or `version_field`) columns; `event_model` derives from
    history.EventBase with a foreign key named `event_subject` to the subject.

    load(key_or_subject) -> subject (a fresh read, with what guards need joined in);
    actor_kinds(ctx) -> set of actor kinds the actor is to this subject (one function per workflow);
    derive(ctx, effect): what every action recomputes (a clock), after the effect;
    timer_plan(ctx) -> timers the derived state implies (merged under the effect's own);
    notify(ctx, effect, event) -> the outbox row telling the party, or nothing;
    key(subject) -> the subject's public key (a number) for timers and reactions.
    """

    name: str
    label: str  # the subject in Chinese, "办件", "工单"
    subject_model: type
    event_model: type
    event_subject: str
    states: dict[str, str]
    actions: dict[str, Action]
    actor_kinds: Callable[[Context], set[str]]
    actor_labels: dict[str, str]
    load: Callable[[Any], Any]
    key: Callable[[Any], str]
    derive: Callable[[Context, Effect], None] | None = None
    timer_plan: Callable[[Context], dict[str, datetime | None]] | None = None
    notify: Callable[[Context, Effect, Any], None] | None = None
    event_extra: Callable[[Context], dict[str, Any]] | None = None  # more event columns (actor_unit)
    prepare_event: Callable[[Context, Any], None] | None = None  # last touch before the event is saved
    reactions: tuple[React, ...] = ()
    conflict_message: str = "记录已被他人处理，请刷新后重试"
    terminal: frozenset[str] = frozenset()
    # The optimistic-locking column (the events' seq). "version" unless the subject already uses
    # that name for something else (a licence's version is part of its identifier and signed data).
    version_field: str = "version"

    def __post_init__(self) -> None:
        for a in self.actions.values():
            for s, t in a.edges.items():
                assert s in self.states, f"{self.name}.{a.name}: unknown from-state {s}"
                assert t == SAME or t in self.states, f"{self.name}.{a.name}: unknown to-state {t}"
                assert s not in self.terminal, f"{self.name}.{a.name}: a terminal state has no way out"
            assert a.actors <= set(self.actor_labels), f"{self.name}.{a.name}: unknown actor kind"

    def version_of(self, subject) -> int:
        return getattr(subject, self.version_field)

    def action_label(self, name: str) -> str:
        a = self.actions.get(name)
        return a.label if a else name

    def state_label(self, status: str) -> str:
        return self.states.get(status, status)


@dataclass
class Context:
    """What guards and effects see. Effects change the subject through `set`, so the engine knows
    which columns to write; `cached` shares a read between guards and effect."""

    workflow: Workflow
    subject: Any
    action: Action
    actor: Any
    now: datetime
    today: date
    raw: dict[str, Any]
    input: Any = None
    kinds: set[str] = field(default_factory=set)
    actor_kind: str = ""
    from_status: str = ""
    to_status: str = ""
    changed: set[str] = field(default_factory=set)
    _cache: dict[str, Any] = field(default_factory=dict)

    def set(self, **values: Any) -> None:
        for name, value in values.items():
            setattr(self.subject, name, value)
            self.changed.add(name)

    def cached(self, name: str, read: Callable[[], Any]) -> Any:
        if name not in self._cache:
            self._cache[name] = read()
        return self._cache[name]

    @property
    def is_system(self) -> bool:
        return self.actor is None
