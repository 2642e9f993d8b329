"""A Celery client a test drives step by step: one JSON command per stdin line, one JSON reply per stdout line.

Usage: python3 driver.py EXAMPLES_DIR   (the folder holding the user's tasks.py; the broker comes from
CELERY_BROKER_URL, as tasks.py reads it).

Every command is an object with "seq" and "op"; every reply echoes "seq" and carries either the
op's value under "result" or an exception under "error" ({"type", "message", "traceback"}).
"""
import json
import math
import sys
import traceback

sys.path.insert(0, sys.argv[1])

from tasks import add, app  # noqa: E402  (the user's tasks.py, exactly as the README shows it)
from celery import chain, group, signature  # noqa: E402

results = {}


def result(task_id):
    # Keep the AsyncResult a send returned: the rpc:// backend matches replies to the tasks it waits for.
    if task_id not in results:
        results[task_id] = app.AsyncResult(task_id)
    return results[task_id]


def sent(r):
    results[r.id] = r
    return r.id


def error(e, tb=None):
    return {'type': type(e).__name__, 'message': str(e), 'traceback': tb}


def finite(value):
    """Python's json writes Infinity and NaN, which JSON readers refuse (Celery's conf has result_backend_max_retries=inf)."""
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def canvas(expr):
    """A canvas written in Python, e.g. "add.s(2, 2) | add.s(4)"; s('tasks.fail', 'boom') names a task tasks.py does not define."""
    names = {'add': add, 'app': app, 'chain': chain, 'group': group, 'signature': signature,
             's': lambda name, *args, **kwargs: app.signature(name, args=args, kwargs=kwargs)}
    return eval(expr, names)  # noqa: S307 (test input)


def run(cmd):
    op = cmd['op']
    if op == 'delay':
        return {'result': sent(add.delay(*cmd.get('args', [])))}
    if op == 'send_task':
        # options: further apply_async options, e.g. {"compression": "bzip2"}
        return {'result': sent(app.send_task(cmd['name'], args=cmd.get('args', []), kwargs=cmd.get('kwargs', {}),
                                             **cmd.get('options', {})))}
    if op == 'call_python':
        # Arguments as Python expressions, for values this JSON line protocol cannot carry (nan, inf, 2**70, '\ud800'):
        # Celery's own JSON sends them; the reply is the result's repr and type, which json.dumps can always write.
        r = app.send_task(cmd['name'], args=eval(cmd['args']), kwargs=eval(cmd.get('kwargs', '{}')))  # noqa: S307 (test input)
        results[r.id] = r
        try:
            value = r.get(timeout=cmd.get('timeout', 10))
        except Exception as e:  # the task's own exception, rebuilt by Celery
            return {'result': {'id': r.id, 'error': error(e, r.traceback)}}
        return {'result': {'id': r.id, 'repr': repr(value), 'type': type(value).__name__}}
    if op == 'ready':
        return {'result': result(cmd['id']).ready()}
    if op == 'state':
        return {'result': result(cmd['id']).state}
    if op == 'get':
        r = result(cmd['id'])
        try:
            return {'result': r.get(timeout=cmd.get('timeout', 10))}
        except Exception as e:  # the task's own exception, rebuilt by Celery
            return {'error': error(e, r.traceback)}
    if op == 'revoke':
        return {'result': result(cmd['id']).revoke(terminate=cmd.get('terminate', False))}
    if op == 'control_revoke':
        return {'result': app.control.revoke(cmd['id'], terminate=cmd.get('terminate', False), reply=cmd.get('reply', False),
                                             timeout=cmd.get('timeout', 1.0))}
    if op == 'ping':
        return {'result': app.control.ping(timeout=cmd.get('timeout', 1.0))}
    if op == 'inspect':
        inspect = app.control.inspect(timeout=cmd.get('timeout', 1.0), destination=cmd.get('destination'))
        return {'result': getattr(inspect, cmd['method'])(**cmd.get('kwargs', {}))}
    if op == 'control':
        # app.control.<method>(*args, **kwargs, reply=True, destination=...): the list of replies
        return {'result': getattr(app.control, cmd['method'])(*cmd.get('args', []), reply=True, destination=cmd.get('destination'),
                                                              timeout=cmd.get('timeout', 1.0), **cmd.get('kwargs', {}))}
    if op == 'apply_canvas':
        # canvas(expr).apply_async(**options): the result's id and its parents' ids, first step last
        r = canvas(cmd['expr']).apply_async(**cmd.get('options', {}))
        ids, p = [], r
        while p is not None:
            results[p.id] = p
            ids.append(p.id)
            p = p.parent
        return {'result': {'id': r.id, 'parents': ids[1:]}}
    if op == 'send_linked':
        # app.send_task(name, args, link=[...], link_error=[...]) with each linked signature frozen first, so it has an
        # id (and this client's reply queue) and its result can be awaited like any other.
        link = [canvas(e) for e in cmd.get('link', [])]
        link_error = [canvas(e) for e in cmd.get('link_error', [])]
        frozen = {'link': [sent(sig.freeze()) for sig in link], 'link_error': [sent(sig.freeze()) for sig in link_error]}
        r = app.send_task(cmd['name'], args=cmd.get('args', []), link=link or None, link_error=link_error or None)
        return {'result': dict(frozen, id=sent(r))}
    if op == 'send_chord':
        # chord(header)(body) as far as the rpc:// backend lets it: chord.run calls backend.apply_chord, which rpc refuses
        # (ChordsNotSupported), but group.apply_async(chord=body) sends the same header messages (each part carrying the
        # body, group id and index) without asking the backend. The body is frozen first (its id and this client's reply
        # queue) and carries chord_size, the key Celery's own backends read the size from (rpc has nowhere to keep it).
        header = group([canvas(e) for e in cmd['header']])
        header.freeze()
        body = canvas(cmd['body'])
        body_id = sent(body.freeze())
        body['chord_size'] = len(header.tasks)
        r = header.apply_async(chord=body)
        return {'result': {'id': body_id, 'parts': [sent(p) for p in r.results]}}
    raise ValueError(f'unknown op {op!r}')


def main():
    print(json.dumps({'seq': 0, 'result': 'ready'}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        cmd = json.loads(line)
        try:
            reply = run(cmd)
        except Exception as e:  # a broken command must not end the session
            reply = {'error': error(e, traceback.format_exc())}
        reply['seq'] = cmd.get('seq')
        print(json.dumps(finite(reply), default=repr), flush=True)


if __name__ == '__main__':
    main()
