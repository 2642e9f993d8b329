"""Prints every task state change, as Celery's events Receiver/State see them.

Run it beside a worker (Celery's with -E, or Celeriac's, which sends task events by default):
    /usr/bin/python3 monitor.py
"""
from tasks import app


def monitor(app):
    state = app.events.State()

    def on_event(event):
        state.event(event)
        task = state.tasks.get(event['uuid'])
        print(f'Status: {task.state}[{task.name}] {task.uuid} {task.info()}', flush=True)

    with app.connection() as connection:
        recv = app.events.Receiver(connection, handlers={
            'task-received': on_event,
            'task-started': on_event,
            'task-succeeded': on_event,
            'task-failed': on_event,
            'task-revoked': on_event,
            '*': state.event,
        })
        print('Monitoring events. Press Ctrl-C to stop.', flush=True)
        recv.capture(limit=None, timeout=None, wakeup=True)


if __name__ == '__main__':
    monitor(app)
