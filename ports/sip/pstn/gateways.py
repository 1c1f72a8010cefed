"""PSTN gateways (guide "PSTN Gateways"): where calls leave the platform,
each in one carrier, whose reseller it belongs to."""
from functools import lru_cache

from ngnpro import rights
from ngnpro.faults import GATEWAY_EXISTS, GATEWAY_IN_USE, NGNProError, invalid
from ngnpro.store.query import EQ, LIKE, Listing
from ngnpro.store.rows import to_wire
from ngnpro.store.sip import pstn as store
from ngnpro.types.pstn import (Gateway, GatewayQuery, GatewayQueryResult,
                               Id)
from ports.common import search, unique

from . import common

MEMBERS = ('id', 'name', 'carrier_id', 'carrier', 'transport', 'ip', 'port',
           'reseller', 'changeDate')


def wire(row):
    return to_wire(row, MEMBERS)


def _values(gateway, carrier):
    return {'name': common.required_name(gateway.name, 'gateway.name'),
            'ip': common.host(gateway.ip),
            'port': gateway.port or 5060,
            'transport': common.transport(gateway.transport),
            'carrier_id': carrier['id'], 'carrier': carrier['name'],
            'customer': 0, 'reseller': carrier['reseller']}


def _check_name(call, values, gateway_id=None):
    row = store.gateway_by_name(call.conn, call.schema, values['reseller'],
                                values['name'])
    if row is not None and row['id'] != gateway_id:
        raise NGNProError(GATEWAY_EXISTS, 'Gateway %s already exists'
                          % values['name'])


def add_gateway(call, gateway):
    if gateway is None:
        raise invalid('gateway is required')
    common.require_operator(call, 'create gateways')
    rights.require_can_create(call.principal, 'gateways')
    carrier = common.carrier(call, gateway.carrier_id)
    change = common.Change(call)
    change.lock(carrier['reseller'])
    carrier = change.reread(store.carrier_row, carrier,
                            common.carrier_missing(gateway.carrier_id))
    values = _values(gateway, carrier)
    _check_name(call, values)
    with unique(GATEWAY_EXISTS, 'Gateway %s already exists'
                % values['name']):
        gateway_id = store.insert_gateway(call.conn, call.schema, values)
    change.touch_carriers(carrier['reseller'], carrier['id'])
    change.finish()
    return wire(store.gateway_row(call.conn, call.schema, gateway_id))


def update_gateway(call, gateway):
    if gateway is None:
        raise invalid('gateway is required')
    common.require_operator(call, 'change gateways')
    row = common.gateway(call, gateway.id)
    carrier_id = gateway.carrier_id or row['carrier_id']
    carrier = common.carrier(call, carrier_id)
    change = common.Change(call)
    change.lock(row['reseller'], carrier['reseller'])
    row = change.reread(store.gateway_row, row,
                        common.gateway_missing(gateway.id))
    carrier = change.reread(store.carrier_row, carrier,
                            common.carrier_missing(carrier_id))
    values = _values(gateway, carrier)
    _check_name(call, values, row['id'])
    with unique(GATEWAY_EXISTS, 'Gateway %s already exists'
                % values['name']):
        store.update_gateway(call.conn, call.schema, row, values)
    if carrier['id'] != row['carrier_id']:
        change.touch_carriers(row['reseller'], row['carrier_id'])
        change.touch_carriers(carrier['reseller'], carrier['id'])
    change.touch_gateways(row['reseller'])
    change.finish()


def delete_gateway(call, gateway_id):
    common.require_operator(call, 'delete gateways')
    row = common.gateway(call, gateway_id)
    change = common.Change(call)
    change.lock(row['reseller'])
    row = change.reread(store.gateway_row, row,
                        common.gateway_missing(gateway_id))
    rules = store.gateway_use(call.conn, call.schema, row['id'])
    if rules:
        raise NGNProError(GATEWAY_IN_USE, 'Gateway %s is in use by %d '
                          'gateway rules: delete them first'
                          % (row['name'], rules))
    store.delete_gateway(call.conn, call.schema, row)
    change.touch_carriers(row['reseller'], row['carrier_id'])
    change.finish()


@lru_cache(maxsize=None)
def _listing(schema):
    g = schema.pstn_gateways.c
    return Listing(
        source=schema.pstn_gateways,
        filters={'id': (EQ, g.id), 'carrier_id': (EQ, g.carrier_id),
                 'customer': (EQ, g.customer), 'reseller': (EQ, g.reseller),
                 'name': (LIKE, g.name)},
        order={'changeDate': g.change_date, 'name': g.name,
               'carrier_id': g.carrier_id, 'ip': g.ip},
        default_order=('changeDate', 'DESC'), tiebreak=g.id)


def get_gateways(call, query):
    total, rows = search(call, _listing(call.schema), query)
    return {'total': total, 'gateways': [wire(r) for r in rows]}


OPERATIONS = [
    ('addGateway', add_gateway, [('gateway', Gateway)], Gateway),
    ('updateGateway', update_gateway, [('gateway', Gateway)], None),
    ('deleteGateway', delete_gateway, [('id', Id)], None),
    ('getGateways', get_gateways, [('query', GatewayQuery)],
     GatewayQueryResult),
]
