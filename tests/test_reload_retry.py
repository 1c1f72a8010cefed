"""A reload that cannot reach Kamailio is not lost. With the running
Kamailio's control socket moved away (Kamailio keeps running), a domain
added over SOAP is committed but not served; the reload stays pending
(health, `ngnpro reloads`, NetworkPort's status and the log show it).
Once the socket is back, the server sends it by itself and the running
Kamailio serves the domain: a digest REGISTER of an account of that domain
gets 200, without any further SOAP call."""
import json
import os
import subprocess
import sys
import time
import urllib.request

from tests.soapcall import admin, envelope


def soap(srv, port, operation, *args):
    status, _, body = srv.post(envelope(port, operation, list(args),
                                        admin()))
    assert status == 200, body
    return body


def health(srv):
    try:
        with urllib.request.urlopen(srv.url + 'health', timeout=10) as r:
            return json.loads(r.read())
    except urllib.error.HTTPError as err:
        return json.loads(err.read())


def reloads_cli(srv):
    run = subprocess.run([sys.executable, '-m', 'ngnpro.cli', '-c',
                          srv.config, 'reloads'], capture_output=True,
                         text=True, timeout=60)
    return run.returncode, run.stdout + run.stderr


def until(predicate, seconds, step=0.5):
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)


def test_domain_served_once_the_socket_is_back(sip_stack, unique_domain):
    srv, kam = sip_stack
    domain, target = unique_domain, 'kamailio:' + kam.rpc_socket
    log_start = os.path.getsize(srv.log)
    away = kam.rpc_socket + '.away'
    os.rename(kam.rpc_socket, away)
    try:
        started = time.monotonic()
        soap(srv, 'Sip', 'addDomain', ('domain', {'domain': domain}))
        soap(srv, 'Sip', 'addAccount', ('account', {
            'id': {'username': 'carol', 'domain': domain},
            'password': 'Pa55-word'}))
        # The calls do not wait for a Kamailio that is away.
        assert time.monotonic() - started < 5
        # Committed, but the running Kamailio does not know the domain yet.
        assert kam.register('carol', domain, 'Pa55-word') == 404, \
            kam.last_output

        def pending():
            return [p for p in health(srv)['reloads']['pending']
                    if p['target'] == target and p['method'] == 'domain.reload']
        (entry,) = until(pending, 10)
        assert entry['error'] and entry['since']
        code, out = reloads_cli(srv)
        assert code == 1 and '%s domain.reload' % target in out, out
        status = soap(srv, 'Network', 'getStatus')
        (node,) = json.loads(_status(status)).values()
        assert 'pending domain.reload' in node['reload ' + target], node
        # Still not served while the socket is away, whatever the retries.
        time.sleep(2)
        assert kam.register('carol', domain, 'Pa55-word') == 404
    finally:
        os.rename(away, kam.rpc_socket)

    back = time.monotonic()
    assert until(lambda: kam.register('carol', domain, 'Pa55-word') == 200,
                 45, step=1), kam.last_output
    print('served %.1f s after the socket came back'
          % (time.monotonic() - back))
    assert until(lambda: not pending(), 10)
    code, out = reloads_cli(srv)
    assert code == 0 and 'no reloads pending' in out, out
    with open(srv.log) as f:
        f.seek(log_start)
        log = f.read()
    assert 'reload pending: %s domain.reload' % target in log, log
    assert 'pending reload sent: %s domain.reload' % target in log, log


def _status(body):
    """The JSON string getStatus answers, out of its envelope."""
    from lxml import etree
    return etree.fromstring(body).find('.//return').text
