"""The demo tasks of `celeriac worker`, written for a real Python Celery worker, so the .NET client can be
tested against both: python3 -m celery -A worker_tasks worker -E (broker from CELERY_BROKER_URL)."""
import os
import time

from celery import Celery

app = Celery('worker_tasks', broker=os.environ.get('CELERY_BROKER_URL', 'pyamqp://guest@localhost//'))
app.conf.result_backend = 'rpc://'
app.conf.result_persistent = True


@app.task(name='tasks.add')
def add(x, y):
    time.sleep(float(os.environ.get('ADD_SLEEP') or 0))
    return x + y


@app.task(name='tasks.xsum')
def xsum(numbers):
    return sum(numbers)


@app.task(name='tasks.sleep')
def sleep(seconds):
    time.sleep(seconds)
    return seconds


@app.task(name='tasks.fail')
def fail(message):
    raise ValueError(message)


@app.task(name='tasks.noop')
def noop():
    return None


@app.task(name='tasks.echo')
def echo(*args, **kwargs):
    return {'args': list(args), 'kwargs': kwargs}


class FlakyException(Exception):
    """The transient failure tasks.flaky raises, named as Celeriac's demo names it."""


@app.task(name='tasks.flaky', bind=True, autoretry_for=(FlakyException,), retry_backoff=1, retry_backoff_max=4)
def flaky(self, fail_times):
    attempt = self.request.retries + 1
    if self.request.retries < fail_times:
        raise FlakyException(f'attempt {attempt} of {fail_times} failing')
    return attempt
