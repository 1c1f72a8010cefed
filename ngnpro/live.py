"""After-commit effects on running servers: Kamailio RPC reloads and
PowerDNS cache purges.

Kamailio reads subscriber, grp and dbaliases per request, but caches the
domain and address tables; after a committed change it must be told to
reload them (native-schemas B1). The JSON-RPC datagram transport of jsonrpcs
needs nothing but a Unix socket.

PowerDNS caches answers (packet and query caches, negative answers for a
minute) and the list of its zones (zone-cache-refresh-interval, 5 minutes);
after a committed change ``pdns_control rediscover`` makes it see a new or
deleted zone and ``pdns_control purge <zone>$`` forgets what it cached
about the zone (native-schemas B2). Its HTTP API can only flush exact
names, so through the API every changed name is flushed.
"""
import json
import logging
import os
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

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


# -- PowerDNS ---------------------------------------------------------------

def powerdns_changed(call, zone, names=(), new_zone=False):
    """After the commit, make PowerDNS see the changes of ``zone``: the
    zone was created or deleted (new_zone), or records at ``names``
    (absolute) changed. Coalesced: one hook per call whatever the number
    of changes."""
    cfg = call.config
    if not (cfg.powerdns_control or cfg.powerdns_api_urls):
        return
    for hook in call.after_commit:
        if isinstance(hook, _PowerDNS):
            break
    else:
        hook = _PowerDNS(cfg)
        call.after_commit.append(hook)
    hook.add(zone, names, new_zone)


class _PowerDNS:
    def __init__(self, config):
        self.config = config
        self.zones = {}          # zone -> set of changed names
        self.rediscover = False

    def add(self, zone, names, new_zone):
        changed = self.zones.setdefault(zone, {zone})
        for name in names:
            # A new name can turn its parents from NXDOMAIN into empty
            # non-terminals: those cached answers change too.
            while name != zone and name.endswith('.' + zone):
                changed.add(name)
                name = name.split('.', 1)[1]
        self.rediscover = self.rediscover or new_zone

    def __call__(self):
        cfg = self.config
        if cfg.powerdns_control:
            for socket_dir in cfg.powerdns_socket_dirs or [None]:
                if self.rediscover:
                    self._control(socket_dir, ['rediscover'])
                self._control(socket_dir, ['purge'] + [
                    z + '$' for z in sorted(self.zones)])
        for url in cfg.powerdns_api_urls:
            self._api(url)

    def _control(self, socket_dir, args):
        cfg = self.config
        cmd = [cfg.powerdns_control]
        if socket_dir:
            cmd.append('--socket-dir=%s' % socket_dir)
        target = 'powerdns:%s' % (socket_dir or cfg.powerdns_control)
        try:
            out = subprocess.run(cmd + args, capture_output=True, text=True,
                                 timeout=cfg.powerdns_timeout)
            error = None if out.returncode == 0 else \
                (out.stderr or out.stdout).strip() or \
                'exit status %d' % out.returncode
        except (OSError, subprocess.SubprocessError) as exc:
            error = str(exc)
        record(target, args[0], error)
        if error:
            log.error('pdns_control %s failed: %s', ' '.join(args), error)

    def _api(self, url):
        cfg = self.config
        base = '%s/api/v1/servers/%s/cache/flush' % (
            url.rstrip('/'), urllib.parse.quote(cfg.powerdns_server_id))
        error = None
        names = sorted(n for z in self.zones.values() for n in z)
        for name in names:
            req = urllib.request.Request(
                base + '?' + urllib.parse.urlencode({'domain': name + '.'}),
                method='PUT', headers={'X-API-Key': cfg.powerdns_api_key})
            try:
                with urllib.request.urlopen(
                        req, timeout=cfg.powerdns_timeout) as resp:
                    resp.read()
            except (OSError, urllib.error.URLError) as exc:
                # One unreachable server costs one timeout, not one per name.
                error = '%s: %s' % (name, exc)
                break
        record('powerdns-api:%s' % url, 'cache/flush', error)
        if error:
            log.error('PowerDNS API cache flush at %s failed: %s', url, error)
