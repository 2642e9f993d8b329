"""The Python worker's side of the end-to-end benchmark: the same no-op task Celeriac's demo registers."""
import os

from celery import Celery

app = Celery('bench', broker=os.environ['CELERY_BROKER_URL'], backend='rpc://')


@app.task(name='tasks.noop')
def noop():
    return None
