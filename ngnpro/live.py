"""After-commit effects on running servers: Kamailio RPC reloads.

Kamailio reads subscriber, grp and dbaliases per request, but caches the
domain and address tables; after a committed change it must be told to
reload them (native-schemas B1). The JSON-RPC datagram transport of jsonrpcs
needs nothing but a Unix socket.
"""
import json
import logging
import os
import socket
import tempfile
import threading
import time

log = logging.getLogger('ngnpro')

# The last outcome of each kind of reload in this process, for the status
# the server reports about itself: {(target, method): {...}}.
_results = {}
_results_lock = threading.Lock()


def record(target, method, error=None):
    with _results_lock:
        _results[(target, method)] = {
            'target': target, 'method': method, 'ok': error is None,
            'error': error or '', 'time': time.strftime(
                '%Y-%m-%d %H:%M:%S', time.localtime())}


def results():
    """The last outcome of every reload this process sent, oldest first."""
    with _results_lock:
        return sorted((dict(r) for r in _results.values()),
                      key=lambda r: r['time'])


def kamailio_rpc(socket_path, method, params=(), timeout=2.0):
    """Send one JSON-RPC command (with positional ``params``) to Kamailio's
    datagram socket; returns the decoded reply."""
    request = {'jsonrpc': '2.0', 'method': method, 'id': 1}
    if params:
        request['params'] = list(params)
    request = json.dumps(request).encode()
    # The reply comes back to our own bound socket, in a private directory.
    with tempfile.TemporaryDirectory(prefix='ngnpro-rpc-') as tmp, \
            socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(os.path.join(tmp, 'reply.sock'))
        sock.settimeout(timeout)
        sock.sendto(request, socket_path)
        data, _ = sock.recvfrom(65536)
        return json.loads(data.decode() or '{}')


def schedule_reload(call, method, *params):
    """Queue a reload to run once the unit of work has committed (and only
    then: a rolled-back change must not be loaded), once per call."""
    path = call.config.kamailio_rpc_socket
    if not path:
        return
    hook = _Reload(path, method, params)
    if hook not in call.after_commit:
        call.after_commit.append(hook)


class _Reload:
    def __init__(self, path, method, params=()):
        self.path, self.method, self.params = path, method, tuple(params)

    def __eq__(self, other):
        return isinstance(other, _Reload) and \
            (self.path, self.method, self.params) == \
            (other.path, other.method, other.params)

    def __call__(self):
        try:
            reply = kamailio_rpc(self.path, self.method, self.params)
        except OSError as exc:
            record('kamailio:' + self.path, self.method, str(exc))
            raise
        error = reply.get('error')
        record('kamailio:' + self.path, self.method,
               error and json.dumps(error))
        if error:
            log.error('Kamailio %s failed: %s', self.method, error)
