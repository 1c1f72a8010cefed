"""Trusted peers (spec §2.1, guide "Trusted Peers"): SIP trunks allowed to
transit the platform, mirrored in Kamailio's address table."""
import ipaddress
from functools import lru_cache

from ngnpro import rights
from ngnpro.faults import (PEER_EXISTS, PEER_NOT_FOUND, NGNProError, denied,
                           invalid)
from ngnpro.live import schedule_reload
from ngnpro.store.query import BOOL, EQ, LIKE, Listing
from ngnpro.store.rows import column_name, to_wire
from ngnpro.store.sip import peers as store
from ngnpro.types.common import String
from ngnpro.types.sip import (TrustedPeer, TrustedPeerQuery,
                              TrustedPeerQueryResult)
from ports.common import owner, search, unique

PEER_TEXT = ('protocol', 'tag', 'description', 'tenant', 'authToken',
             'carrierName', 'originator', 'prefix', 'tags', 'billingId')
PEER_INT = ('callLimit', 'strip', 'blocked')
PEER_BOOL = ('msteams', 'prepaid', 'enumLookup', 'transit')


def _peer_ip(value):
    text = (value or '').strip()
    try:
        net = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise invalid('Invalid trusted peer IP address %r' % value)
    # One spelling per peer: 192.0.2.1, 192.0.2.1/32 and
    # 192.0.2.1/255.255.255.255 are the same Kamailio address row.
    if net.prefixlen == net.max_prefixlen:
        return str(net.network_address)
    return str(net)


def _peer_values(call, peer):
    v = {column_name(k): (getattr(peer, k, None) or '') for k in PEER_TEXT}
    v['protocol'] = (v['protocol'] or 'any').lower()
    if v['protocol'] not in ('any', 'udp', 'tcp', 'tls', 'sctp', 'ws', 'wss'):
        raise invalid('Invalid trusted peer protocol %r' % peer.protocol)
    for k in PEER_INT:
        v[column_name(k)] = getattr(peer, k, None) or 0
    for k in PEER_BOOL:
        v[column_name(k)] = bool(getattr(peer, k, None))
    return v


def _peer(call, ip):
    row = store.peer_row(call.conn, call.schema, _peer_ip(ip))
    missing = NGNProError(PEER_NOT_FOUND, 'Trusted peer %s does not exist'
                          % ip)
    if row is None:
        raise missing
    rights.require_visible(call.principal, row['customer'], row['reseller'],
                           missing)
    return row


def add_trusted_peer(call, peer):
    if peer is None:
        raise invalid('peer is required')
    ip = _peer_ip(peer.ip)
    p = call.principal
    rights.require_can_create(p, 'trusted peers')
    if not p.is_admin and not p.is_reseller:
        raise denied('Permission denied: customers cannot create trusted '
                     'peers')
    if store.peer_row(call.conn, call.schema, ip) is not None:
        raise NGNProError(PEER_EXISTS, 'Trusted peer %s already exists' % ip)
    customer, reseller = rights.assign_owner(call.conn, call.schema, p,
                                             peer.customer, peer.reseller)
    values = _peer_values(call, peer)
    values.update(ip=ip, customer=customer, reseller=reseller,
                  owner=owner(call, peer.owner))
    with unique(PEER_EXISTS, 'Trusted peer %s already exists' % ip):
        store.insert_peer(call.conn, call.schema, values)
    schedule_reload(call, 'permissions.addressReload')


def update_trusted_peer(call, peer):
    if peer is None:
        raise invalid('peer is required')
    row = _peer(call, peer.ip)
    p = call.principal
    if not p.is_admin and not p.is_reseller:
        raise denied('Permission denied: customers cannot change trusted '
                     'peers')
    # The client's edit form sends customer/owner on add only: absent means
    # unchanged, not 0.
    def given(member):
        value = getattr(peer, member, None)
        return row[member] if value is None else value
    customer, reseller = rights.assign_owner(
        call.conn, call.schema, p, given('customer'),
        given('reseller') if p.is_admin else row['reseller'])
    values = _peer_values(call, peer)
    values.update(ip=row['ip'], customer=customer, reseller=reseller,
                  owner=owner(call, given('owner')))
    store.update_peer(call.conn, call.schema, row, values)
    schedule_reload(call, 'permissions.addressReload')


def delete_trusted_peer(call, ip):
    row = _peer(call, ip)
    if not call.principal.is_admin and not call.principal.is_reseller:
        raise denied('Permission denied: customers cannot delete trusted '
                     'peers')
    store.delete_peer(call.conn, call.schema, row)
    schedule_reload(call, 'permissions.addressReload')


PEER_MEMBERS = ('ip', 'customer', 'reseller', 'owner', 'changeDate') + \
    PEER_TEXT + PEER_INT + PEER_BOOL


@lru_cache(maxsize=None)
def _peer_listing(schema):
    t = schema.trusted_peers.c
    return Listing(
        source=schema.trusted_peers,
        filters={'ip': (LIKE, t.ip), 'description': (LIKE, t.description),
                 'tenant': (LIKE, t.tenant), 'tags': (LIKE, t.tags),
                 'billingId': (LIKE, t.billing_id),
                 'msteams': (BOOL, t.msteams),
                 'blocked': (EQ, t.blocked), 'customer': (EQ, t.customer),
                 'reseller': (EQ, t.reseller)},
        order={'description': t.description, 'changeDate': t.change_date,
               'ip': t.ip},
        default_order=('description', 'ASC'), tiebreak=t.id)


def get_trusted_peers(call, query):
    total, rows = search(call, _peer_listing(call.schema), query)
    return {'total': total, 'peers': [to_wire(r, PEER_MEMBERS) for r in rows]}


OPERATIONS = [
    ('addTrustedPeer', add_trusted_peer, [('peer', TrustedPeer)], None),
    ('updateTrustedPeer', update_trusted_peer, [('peer', TrustedPeer)], None),
    ('deleteTrustedPeer', delete_trusted_peer, [('ip', String)], None),
    ('getTrustedPeers', get_trusted_peers, [('query', TrustedPeerQuery)],
     TrustedPeerQueryResult),
]
