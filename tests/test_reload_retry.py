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
import urllib.error
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
                    if (p['target'], p['method']) ==
                    (target, 'domain.reload')]
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


def test_a_server_that_starts_sends_what_was_left(sip_stack, unique_domain,
                                                  tmp_path):
    """Server B, the only one configured for its socket path (a link to
    the running Kamailio's socket, missing at first), stops with a reload
    pending; started again, it sends it and Kamailio serves the domain."""
    from tests.support.server import Server
    srv, kam = sip_stack
    link = str(tmp_path / 'kamailio.sock')
    os.makedirs(tmp_path / 'b')
    b = Server(tmp_path / 'b', srv.db_url, rpc_socket=link).start(init=False)
    try:
        soap(b, 'Sip', 'addDomain', ('domain', {'domain': unique_domain}))
        soap(b, 'Sip', 'addAccount', ('account', {
            'id': {'username': 'dave', 'domain': unique_domain},
            'password': 'Pa55-word'}))
    finally:
        b.stop()
    code, out = reloads_cli(b)
    assert code == 1 and 'kamailio:%s domain.reload' % link in out, out
    os.symlink(kam.rpc_socket, link)
    # Nobody else sends it: the session's server reloads another target.
    time.sleep(3)
    assert kam.register('dave', unique_domain, 'Pa55-word') == 404
    b.start(init=False)
    try:
        assert until(lambda: kam.register('dave', unique_domain,
                                          'Pa55-word') == 200, 30, step=1)
        assert until(lambda: reloads_cli(b)[0] == 0, 10)
        log = open(b.log).read()
        assert '1 reloads pending from before: kamailio:%s domain.reload' \
            % link in log, log[-2000:]
        assert 'pending reload sent: kamailio:%s domain.reload' % link in log
    finally:
        b.stop()
