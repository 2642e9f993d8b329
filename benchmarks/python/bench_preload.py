"""Pre-loads N no-op tasks with Celery's own client, results addressed to a plain queue (bench.results).

./bench.sh captures these messages once and publishes them byte for byte into each run's virtual host, so every
worker drains the same load a Python producer sends.
"""
import os
import sys

from celery import Celery

app = Celery('bench', broker=os.environ['CELERY_BROKER_URL'])
count = int(sys.argv[1])
# Closed with the AMQP handshake (connection.close, then close-ok), not by the process exiting: the broker handles a
# connection's frames in order, so close-ok means every publish before it was routed. Without confirms (kombu's
# default), a socket dropped at exit lost the last few dozen of 80,000 here.
with app.connection_for_write() as connection, connection.Producer() as producer:
    for _ in range(count):
        app.send_task('tasks.noop', reply_to='bench.results', producer=producer)
print(count)
