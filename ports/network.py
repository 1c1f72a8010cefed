"""NetworkPort (spec §2.7, §3.9): this deployment as CDRTool's platform
status page reads it, as JSON strings.

getStatus: this server's node (id, address, version, roles) and, for the
administrator, its database (password masked), its listening addresses and
the servers it reloads after commits with the last outcome of each reload
and the reloads still pending (ngnpro.live). Every other attribute is a scalar: CDRTool prints them as
``name=value``.

getStatistics: per SIP proxy address (the socket Kamailio received each
registration on) role ``sip_proxy`` with ``online_accounts`` and
``online_devices`` per domain, and a ``summary`` adding ``total_accounts``
and ``total_aliases``; a reseller or customer sees its own domains only.
"""
import datetime
import json
import socket
from functools import lru_cache

from spyne.model.primitive import Unicode

from ngnpro import live
from ngnpro.pages import version
from ngnpro.store import network as store
from ports.common import service

ROLE = 'provisioning_server'
_WILDCARDS = ('', '0.0.0.0', '::')


@lru_cache(maxsize=None)
def _host_address():
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return '127.0.0.1'


def node_address(config):
    if config.node_address:
        return config.node_address
    if config.listen not in _WILDCARDS:
        return config.listen
    return _host_address()


def node_id(config):
    return config.node_id or socket.gethostname()


def _masked(url):
    from sqlalchemy.engine import make_url
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:       # not a URL: never echo it, it may hold secrets
        return '(unparsable URL)'


def _reloads(call):
    """{endpoint: last outcome of each reload sent to it, then the reloads
    still to be sent (by any server on the database)} for the servers this
    server reloads: those configured and any that answered before."""
    config = call.config
    out = {}
    if config.kamailio_rpc_socket:
        out['kamailio:' + config.kamailio_rpc_socket] = []
    for r in live.results():
        outcome = 'ok' if r['ok'] else 'failed (%s)' % r['error']
        out.setdefault(r['target'], []).append(
            '%s %s at %s' % (r['method'], outcome, r['time']))
    for p in live.pending(call.conn, call.schema, config):
        what = p['method'] + (' ' + p['argument'] if p['argument'] not in
                              ('', '[]') else '')
        out.setdefault(p['target'], []).append(
            'pending %s (%d attempts%s, next %s%s)' % (
                what, p['attempts'],
                ' since %s' % p['since'] if p['since'] else '',
                p['next_try'], ': %s' % p['error'] if p['error'] else ''))
    return {'reload ' + target: '; '.join(lines) or 'no reload sent yet'
            for target, lines in out.items()}


def get_status(call):
    config = call.config
    node = {'ip': node_address(config), 'version': version(),
            'roles': [ROLE]}
    if call.principal.is_admin:
        scheme = 'https' if config.tls_certificate else 'http'
        node['hostname'] = socket.gethostname()
        node['url'] = '%s://%s:%d/ngnpro/' % (scheme, node['ip'], config.port)
        if config.voicemail_port:
            node['voicemail_url'] = '%s://%s:%d/' % (
                scheme, config.voicemail_listen or node['ip'],
                config.voicemail_port)
        if config.voicemail_server:
            node['voicemail_server'] = config.voicemail_server
        node['dburi'] = _masked(config.database_url)
        node.update(_reloads(call))
    return json.dumps({node_id(config): node}, sort_keys=True)


def _node_of(sock):
    """'udp:192.0.2.10:5060' / 'tls:[2001:db8::1]:5061' -> the address."""
    rest = sock.partition(':')[2] if ':' in sock else sock
    if rest.startswith('['):
        return rest[1:].partition(']')[0]
    return rest.rpartition(':')[0] or rest


def get_statistics(call):
    now = datetime.datetime.now()
    conn, s, who = call.conn, call.schema, call.principal
    accounts, devices, by_socket = store.online(conn, s, who, now)
    summary = store.totals(conn, s, who)
    summary.update(online_accounts=accounts, online_devices=devices)
    out = {'summary': {'sip_proxy': summary}}
    for sock, (users, contacts) in sorted(by_socket.items()):
        if not sock:
            continue        # no socket recorded: counted in the summary only
        node = out.setdefault(_node_of(sock), {'sip_proxy': {
            'online_accounts': {}, 'online_devices': {}}})['sip_proxy']
        for section, counts in (('online_accounts', users),
                                ('online_devices', contacts)):
            for domain, n in counts.items():
                node[section][domain] = node[section].get(domain, 0) + n
    return json.dumps(out, sort_keys=True)


Json = Unicode      # a JSON document: no length limit of its own

OPERATIONS = [
    ('getStatistics', get_statistics, [], Json),
    ('getStatus', get_status, [], Json),
]

NetworkPort = service('NetworkPort', OPERATIONS)
