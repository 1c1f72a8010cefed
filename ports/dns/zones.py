"""DNS zones (spec §2.3, §3.6, guide "DNS Zones"): a PowerDNS NATIVE domain
with its SOA and NS rows; the SOA serial is the server's and goes up with
every change of the zone."""
from functools import lru_cache

from ngnpro import credits, rights
from ngnpro.faults import ZONE_EXISTS, NGNProError, invalid
from ngnpro.live import powerdns_changed
from ngnpro.rdata import email
from ngnpro.store import dns as store
from ngnpro.store import powerdns
from ngnpro.store.query import EQ, LIKE, Listing
from ngnpro.types.common import String
from ngnpro.types.dns import DnsZone, DnsZoneQuery, DnsZoneQueryResult
from ports.common import search, unique

from . import lookup

TIMERS = ('refresh', 'retry', 'expire', 'minimum')
MBOXFW = 'MBOXFW'


def _settings(call, zone, name, row=None):
    """The zone's SOA settings from what the client sent: absent, 0 or ''
    keeps the current value (or the configured default of a new zone)."""
    cfg = call.config
    current = row or {'ttl': cfg.dns_ttl, 'email': cfg.dns_email or
                      'hostmaster@' + name, 'info': '',
                      **{k: getattr(cfg, 'dns_' + k) for k in TIMERS}}
    v = {}
    for k in ('ttl',) + TIMERS:
        value = getattr(zone, k, None)
        v[k] = value if value else current[k]
    given = (zone.email or '').strip()
    v['email'] = email(given, 'zone email') if given else current['email']
    v['info'] = current['info'] if zone.info is None else zone.info.strip()
    return v


def add_zone(call, zone):
    if zone is None:
        raise invalid('zone is required')
    name = lookup.zone_name(zone.name, 'zone.name')
    rights.require_can_create(call.principal, 'DNS zones')
    exists = NGNProError(ZONE_EXISTS, 'DNS zone %s already exists' % name)
    if store.zone_row(call.conn, call.schema, name) is not None or \
            powerdns.domain_exists(call.conn, call.schema, name):
        raise exists
    customer, reseller = rights.assign_owner(
        call.conn, call.schema, call.principal, zone.customer, zone.reseller)
    values = _settings(call, zone, name)
    nameservers = lookup.nameservers(call, zone.nameservers) or \
        list(call.config.dns_nameservers)
    values.update(name=name, customer=customer, reseller=reseller)
    credits.consume(call.conn, call.schema, call.principal,
                    'dns_zone_credit', customer, reseller)
    with unique(exists.errorcode, exists.errorstring):
        store.insert_zone(call.conn, call.schema, values, nameservers,
                          powerdns.next_serial(0))
    powerdns_changed(call, name, new_zone=True)


def update_zone(call, zone):
    if zone is None:
        raise invalid('zone is required')
    row = lookup.zone(call, zone.name, for_update=True, what='zone.name')
    p = call.principal
    customer, reseller = row['customer'], row['reseller']
    if p.is_admin or p.is_reseller:
        customer, reseller = rights.assign_owner(
            call.conn, call.schema, p, zone.customer,
            zone.reseller if p.is_admin else row['reseller'])
    _charge_move(call, row, customer, reseller)
    values = _settings(call, zone, row['name'], row)
    values.update(customer=customer, reseller=reseller)
    # An emptied name-server box is not sent: keep the current ones.
    nameservers = lookup.nameservers(call, zone.nameservers)
    store.update_zone(call.conn, call.schema, row, values, nameservers)
    powerdns_changed(call, row['name'])


def _charge_move(call, row, customer, reseller):
    """A zone moved to another owner takes its credits along: the zone and
    its mail forwards."""
    new_customer = customer if customer != row['customer'] else None
    new_reseller = reseller if reseller != row['reseller'] else None
    if not (new_customer or new_reseller):
        return
    credits.consume(call.conn, call.schema, call.principal,
                    'dns_zone_credit', new_customer, new_reseller)
    fancy = call.schema.dns_fancy_records
    forwards = store.count_in_zone(call.conn, fancy, row['id'],
                                   fancy.c.type == MBOXFW)
    if forwards:
        credits.consume(call.conn, call.schema, call.principal,
                        'email_credit', new_customer, new_reseller, forwards)


def delete_zone(call, zone):
    row = lookup.zone(call, zone, for_update=True)
    store.delete_zone(call.conn, call.schema, row)
    powerdns_changed(call, row['name'], new_zone=True)


def get_zone(call, zone):
    return store.zone_wire(lookup.zone(call, zone))


@lru_cache(maxsize=None)
def _zone_listing(schema):
    z = schema.dns_zones.c
    return Listing(
        source=schema.dns_zones,
        filters={'name': (LIKE, z.name), 'info': (LIKE, z.info),
                 'customer': (EQ, z.customer), 'reseller': (EQ, z.reseller)},
        order={'changeDate': z.change_date, 'name': z.name},
        default_order=('changeDate', 'DESC'), tiebreak=z.id)


def get_zones(call, query):
    total, rows = search(call, _zone_listing(call.schema), query)
    return {'total': total, 'zones': [store.zone_wire(r) for r in rows]}


OPERATIONS = [
    ('addZone', add_zone, [('zone', DnsZone)], None),
    ('updateZone', update_zone, [('zone', DnsZone)], None),
    ('deleteZone', delete_zone, [('zone', String)], None),
    ('getZone', get_zone, [('zone', String)], DnsZone),
    ('getZones', get_zones, [('query', DnsZoneQuery)], DnsZoneQueryResult),
]
