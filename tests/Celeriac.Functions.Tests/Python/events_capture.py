"""Prints one line per Celery event of the kinds a monitor follows, as Celery's own events Receiver gets them.

Usage: python3 events_capture.py EXAMPLES_DIR   (the folder holding the user's tasks.py; the broker comes from
CELERY_BROKER_URL, as tasks.py reads it).

Each line is "Event: <type> <task id>" for a task event and "Event: <type> <hostname>" for a worker event.
"""
import sys

sys.path.insert(0, sys.argv[1])

from tasks import app  # noqa: E402  (the user's tasks.py)

KINDS = ('task-received', 'task-started', 'task-succeeded', 'task-failed', 'task-revoked', 'worker-heartbeat')


def on_event(event):
    subject = event.get('uuid') or event.get('hostname')
    print(f"Event: {event['type']} {subject}", flush=True)


with app.connection() as connection:
    receiver = app.events.Receiver(connection, handlers={kind: on_event for kind in KINDS})
    print('Capturing events.', flush=True)
    receiver.capture(limit=None, timeout=None, wakeup=True)
