"""The tasks a Python Celery client sends: only their names and signatures matter to it.

Run a worker (Celeriac's `./run.sh worker`, or Celery's), then, from this folder:
    /usr/bin/python3 -c "from tasks import add; r = add.delay(2, 3); print(r.get(timeout=10))"
The broker is the local RabbitMQ unless CELERY_BROKER_URL names another.
"""
import os

from celery import Celery

app = Celery('tasks', broker=os.environ.get('CELERY_BROKER_URL', 'pyamqp://guest@localhost//'))
app.conf.update(result_backend='rpc://', result_persistent=True)


@app.task
def add(x, y):
    return x + y
