"""A Python Celery app whose tasks no Celeriac process defines: `celeriac serve --no-worker` fronts them."""
import os

from celery import Celery

app = Celery('shop', broker=os.environ['CELERY_BROKER_URL'], backend='rpc://')
app.conf.result_persistent = True


@app.task(name='shop.send_invoice')
def send_invoice(order, amount):
    return {'order': order, 'amount': amount, 'sent': True}
