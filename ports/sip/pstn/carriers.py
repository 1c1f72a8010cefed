"""PSTN carriers (guide "PSTN Carriers"): a carrier groups gateways and is
what routes point to. Owned by a reseller (0 = the platform)."""
from functools import lru_cache

from ngnpro import rights
from ngnpro.faults import (CARRIER_EXISTS, CARRIER_IN_USE, GATEWAY_EXISTS,
                           NGNProError, invalid)
from ngnpro.store.query import EQ, LIKE, Listing
from ngnpro.store.rows import to_wire
from ngnpro.store.sip import pstn as store
from ngnpro.types.pstn import (Carrier, CarrierQuery, CarrierQueryResult,
                               Id)
from ports.common import search, unique

from . import common

MEMBERS = ('id', 'name', 'reseller', 'changeDate')


def wire(row):
    return to_wire(row, MEMBERS)


def _exists(name):
    return NGNProError(CARRIER_EXISTS, 'Carrier %s already exists' % name)


def _check_name(call, reseller, name, carrier_id=None):
    row = store.carrier_by_name(call.conn, call.schema, reseller, name)
    if row is not None and row['id'] != carrier_id:
        raise _exists(name)


def add_carrier(call, carrier):
    if carrier is None:
        raise invalid('carrier is required')
    common.require_operator(call, 'create carriers')
    rights.require_can_create(call.principal, 'carriers')
    name = common.required_name(carrier.name, 'carrier.name')
    _, reseller = rights.assign_owner(call.conn, call.schema, call.principal,
                                      0, carrier.reseller)
    change = common.Change(call)
    change.lock(reseller)
    _check_name(call, reseller, name)
    with unique(CARRIER_EXISTS, 'Carrier %s already exists' % name):
        carrier_id = store.insert_carrier(call.conn, call.schema, {
            'name': name, 'customer': 0, 'reseller': reseller})
    change.finish()
    return wire(store.carrier_row(call.conn, call.schema, carrier_id))


def update_carrier(call, carrier):
    if carrier is None:
        raise invalid('carrier is required')
    common.require_operator(call, 'change carriers')
    row = common.carrier(call, carrier.id)
    name = common.required_name(carrier.name, 'carrier.name')
    reseller = row['reseller']
    if call.principal.is_admin and carrier.reseller is not None:
        # Only the admin moves a carrier; its gateways and routes follow.
        _, reseller = rights.assign_owner(call.conn, call.schema,
                                          call.principal, 0, carrier.reseller)
    change = common.Change(call)
    change.lock(row['reseller'], reseller)
    row = change.reread(store.carrier_row, row,
                        common.carrier_missing(carrier.id))
    _check_name(call, reseller, name, row['id'])
    if reseller != row['reseller']:
        clash = store.gateway_name_clash(call.conn, call.schema, row['id'],
                                         reseller)
        if clash:
            raise NGNProError(GATEWAY_EXISTS, 'Gateway %s already exists for '
                              'reseller %d' % (clash, reseller))
    with unique(CARRIER_EXISTS, 'Carrier %s already exists' % name):
        store.update_carrier(call.conn, call.schema, row,
                             {'name': name, 'reseller': reseller})
    if reseller != row['reseller']:
        change.touch(row['reseller'])
        change.touch(reseller)
    change.finish()


def delete_carrier(call, carrier_id):
    common.require_operator(call, 'delete carriers')
    row = common.carrier(call, carrier_id)
    change = common.Change(call)
    change.lock(row['reseller'])
    row = change.reread(store.carrier_row, row,
                        common.carrier_missing(carrier_id))
    gateways, routes = store.carrier_use(call.conn, call.schema, row['id'])
    if gateways or routes:
        raise NGNProError(CARRIER_IN_USE, 'Carrier %s is in use by %d '
                          'gateways and %d routes: delete or move them first'
                          % (row['name'], gateways, routes))
    store.delete_carrier(call.conn, call.schema, row)
    change.finish()


@lru_cache(maxsize=None)
def _listing(schema):
    c = schema.pstn_carriers.c
    return Listing(
        source=schema.pstn_carriers,
        filters={'id': (EQ, c.id), 'name': (LIKE, c.name),
                 'reseller': (EQ, c.reseller)},
        order={'changeDate': c.change_date, 'name': c.name},
        default_order=('changeDate', 'DESC'), tiebreak=c.id)


def get_carriers(call, query):
    total, rows = search(call, _listing(call.schema), query)
    return {'total': total, 'carriers': [wire(r) for r in rows]}


OPERATIONS = [
    ('addCarrier', add_carrier, [('carrier', Carrier)], Carrier),
    ('updateCarrier', update_carrier, [('carrier', Carrier)], None),
    ('deleteCarrier', delete_carrier, [('id', Id)], None),
    ('getCarriers', get_carriers, [('query', CarrierQuery)],
     CarrierQueryResult),
]
