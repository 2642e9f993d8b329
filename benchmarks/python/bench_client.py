"""Sends N no-op tasks with .delay()-style calls and joins their results, as environment.md measured Celery.

Prints one JSON line: the enqueue rate and the end-to-end rate (send all, then wait for every result).
"""
import json
import os
import sys
import time

from celery import Celery
from celery.result import ResultSet

app = Celery('bench', broker=os.environ['CELERY_BROKER_URL'], backend='rpc://')
count = int(sys.argv[1])

app.send_task('tasks.noop').get(timeout=60)          # warm up: connections, queues, the worker's first task
started = time.perf_counter()
results = [app.send_task('tasks.noop') for _ in range(count)]
sent = time.perf_counter()
ResultSet(results).get(timeout=600)
done = time.perf_counter()
print(json.dumps({'tasks': count, 'enqueue_per_s': round(count / (sent - started)), 'end_to_end_per_s': round(count / (done - started))}))
