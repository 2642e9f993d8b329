"""Tasks for a real Python Celery worker whose tasks only the dashboard's event recorder can record (the worker keeps
no record of its own): python3 -m celery -A dashboard_tasks worker -E -Q <queue> (broker from CELERY_BROKER_URL).
The Dashboard tests copy this file next to their Python client."""
import os

from celery import Celery

app = Celery('dashboard_tasks', broker=os.environ.get('CELERY_BROKER_URL', 'pyamqp://guest@localhost//'))
app.conf.result_backend = 'rpc://'


@app.task(name='dashboard.multiply')
def multiply(x, y):
    return x * y


@app.task(name='dashboard.fail')
def fail(message):
    raise ValueError(message)
