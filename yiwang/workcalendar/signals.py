from django.dispatch import Signal

# Sent after a change to the calendar commits; `since` is the earliest date it touched.
# The case engine listens and recomputes the deadlines of running cases.
calendar_changed = Signal()
