"""A Python Celery app whose tasks no Celeriac process defines: `celeriac serve --no-worker` fronts them."""
import os

from celery import Celery

app = Celery('shop', broker=os.environ['CELERY_BROKER_URL'], backend='rpc://')
app.conf.result_persistent = True


@app.task(name='shop.send_invoice')
def send_invoice(order, amount):
    return {'order': order, 'amount': amount, 'sent': True}


@app.task(name='shop.trace_context', bind=True)
def trace_context(self):
    # Where OpenTelemetry's Celery instrumentation looks for the sender's context: a message header, read off the request.
    return getattr(self.request, 'traceparent', None)
