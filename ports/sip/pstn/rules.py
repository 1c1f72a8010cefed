"""Gateway rules (guide "PSTN Rules"): how a gateway wants the number. A
rule strips ``strip`` digits and prepends ``prepend`` for numbers that start
with its prefix and whose length is within minLength..maxLength (0 = no
limit); ngnpro.routing says which rule wins."""
from functools import lru_cache

from ngnpro import rights
from ngnpro.faults import invalid
from ngnpro.store.query import EQ, LIKE, Listing
from ngnpro.store.rows import to_wire
from ngnpro.store.sip import pstn as store
from ngnpro.types.pstn import (GatewayRule, GatewayRuleQuery,
                               GatewayRuleQueryResult, Id)
from ports.common import search

from . import common

MEMBERS = ('id', 'gateway_id', 'gateway', 'carrier_id', 'carrier', 'prefix',
           'strip', 'prepend', 'minLength', 'maxLength', 'reseller',
           'changeDate')


def wire(row):
    return to_wire(row, MEMBERS)


def _values(rule, gateway):
    low, high = rule.minLength or 0, rule.maxLength or 0
    if high and low > high:
        raise invalid('rule.minLength (%d) is larger than rule.maxLength '
                      '(%d)' % (low, high))
    return {'prefix': common.prefix(rule.prefix, 'rule.prefix'),
            'strip': rule.strip or 0, 'prepend': common.prepend(rule.prepend),
            'min_length': low, 'max_length': high,
            'gateway_id': gateway['id'], 'gateway': gateway['name'],
            'carrier_id': gateway['carrier_id'],
            'carrier': gateway['carrier'], 'customer': 0,
            'reseller': gateway['reseller']}


def add_gateway_rule(call, rule):
    if rule is None:
        raise invalid('rule is required')
    common.require_operator(call, 'create gateway rules')
    rights.require_can_create(call.principal, 'gateway rules')
    gateway = common.gateway(call, rule.gateway_id)
    change = common.Change(call)
    change.lock(gateway['reseller'])
    gateway = change.reread(store.gateway_row, gateway,
                            common.gateway_missing(rule.gateway_id))
    values = _values(rule, gateway)
    rule_id = store.insert_rule(call.conn, call.schema, values)
    change.touch(values['reseller'], prefix=values['prefix'])
    change.finish()
    return wire(store.rule_row(call.conn, call.schema, rule_id))


def update_gateway_rule(call, rule):
    if rule is None:
        raise invalid('rule is required')
    common.require_operator(call, 'change gateway rules')
    row = common.rule(call, rule.id)
    gateway_id = rule.gateway_id or row['gateway_id']
    gateway = common.gateway(call, gateway_id)
    change = common.Change(call)
    change.lock(row['reseller'], gateway['reseller'])
    row = change.reread(store.rule_row, row, common.rule_missing(rule.id))
    gateway = change.reread(store.gateway_row, gateway,
                            common.gateway_missing(gateway_id))
    values = _values(rule, gateway)
    store.update_rule(call.conn, call.schema, row, values)
    change.touch(row['reseller'], prefix=row['prefix'])
    change.touch(values['reseller'], prefix=values['prefix'])
    change.finish()


def delete_gateway_rule(call, rule_id):
    common.require_operator(call, 'delete gateway rules')
    row = common.rule(call, rule_id)
    change = common.Change(call)
    change.lock(row['reseller'])
    row = change.reread(store.rule_row, row, common.rule_missing(rule_id))
    store.delete_rule(call.conn, call.schema, row)
    change.touch(row['reseller'], prefix=row['prefix'])
    change.finish()


@lru_cache(maxsize=None)
def _listing(schema):
    r = schema.pstn_gateway_rules.c
    return Listing(
        source=schema.pstn_gateway_rules,
        filters={'id': (EQ, r.id), 'gateway_id': (EQ, r.gateway_id),
                 'carrier_id': (EQ, r.carrier_id),
                 'customer': (EQ, r.customer), 'reseller': (EQ, r.reseller),
                 'prefix': (LIKE, r.prefix)},
        order={'changeDate': r.change_date, 'gateway': r.gateway,
               'carrier': r.carrier, 'prefix': r.prefix},
        default_order=('changeDate', 'ASC'), tiebreak=r.id)


def get_gateway_rules(call, query):
    total, rows = search(call, _listing(call.schema), query)
    return {'total': total, 'gateway_rules': [wire(r) for r in rows]}


OPERATIONS = [
    ('addGatewayRule', add_gateway_rule, [('rule', GatewayRule)],
     GatewayRule),
    ('updateGatewayRule', update_gateway_rule, [('rule', GatewayRule)],
     None),
    ('deleteGatewayRule', delete_gateway_rule, [('id', Id)], None),
    ('getGatewayRules', get_gateway_rules, [('query', GatewayRuleQuery)],
     GatewayRuleQueryResult),
]
