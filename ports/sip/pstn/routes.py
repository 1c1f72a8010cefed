"""PSTN routes (guide "PSTN Routes"): a number prefix (00 + country code
..., empty = every number) and an optional originator, routed to a carrier
with a priority. Batches are all-or-nothing: one bad item faults the call
and the unit of work writes nothing."""
from functools import lru_cache

from ngnpro import rights
from ngnpro.faults import ROUTE_EXISTS, NGNProError, invalid
from ngnpro.store.query import EQ, LIKE, Listing
from ngnpro.store.rows import to_wire
from ngnpro.store.sip import pstn as store
from ngnpro.types.pstn import RouteArray, RouteQuery, RouteQueryResult
from ports.common import check_array, search, unique

from . import common

MEMBERS = ('id', 'carrier_id', 'carrier', 'prefix', 'originator',
           'priority', 'reseller', 'changeDate')


def wire(row):
    return to_wire(row, MEMBERS)


def _items(call, routes):
    items = check_array(call, routes, 'routes')
    for i, item in enumerate(items):
        if item is None:
            raise invalid('routes[%d] is empty' % i)
    return items


def _values(item, carrier, i):
    return {'prefix': common.prefix(item.prefix, 'routes[%d].prefix' % i),
            'originator': common.originator(item.originator),
            'priority': item.priority or 0,
            'carrier_id': carrier['id'], 'carrier': carrier['name'],
            'customer': 0, 'reseller': carrier['reseller']}


def _check_free(call, values, route_id=None):
    row = store.route_by_key(call.conn, call.schema, values['reseller'],
                             values['prefix'], values['originator'],
                             values['carrier_id'])
    if row is not None and row['id'] != route_id:
        raise _exists(values)


def _exists(values):
    return NGNProError(ROUTE_EXISTS, 'Route %r%s to carrier %s already '
                       'exists' % (values['prefix'], ' for originator %s'
                                   % values['originator']
                                   if values['originator'] else '',
                                   values['carrier']))


def _carriers(call, change, ids):
    """The visible carriers of a batch, each read once, locked."""
    found = {}
    for carrier_id in ids:
        if carrier_id not in found:
            found[carrier_id] = common.carrier(call, carrier_id)
    change.lock(*[c['reseller'] for c in found.values()])
    return {i: change.reread(store.carrier_row, c,
                             common.carrier_missing(i))
            for i, c in found.items()}


def add_routes(call, routes):
    common.require_operator(call, 'create routes')
    rights.require_can_create(call.principal, 'routes')
    items = _items(call, routes)
    change = common.Change(call)
    carriers = _carriers(call, change, [item.carrier_id for item in items])
    created = []
    for i, item in enumerate(items):
        values = _values(item, carriers[item.carrier_id], i)
        # The unique key answers a duplicate (as the check would).
        with unique(ROUTE_EXISTS, _exists(values).errorstring):
            created.append(store.insert_route(call.conn, call.schema,
                                              values))
        change.touch_route(values['reseller'], values)
    change.finish()
    return [wire(r) for r in store.route_rows(call.conn, call.schema,
                                              created)]


def update_routes(call, routes):
    common.require_operator(call, 'change routes')
    items = _items(call, routes)
    rows = [common.route(call, item.id) for item in items]
    carriers = [common.carrier(call, item.carrier_id or row['carrier_id'])
                for item, row in zip(items, rows)]
    change = common.Change(call)
    change.lock(*[r['reseller'] for r in rows + carriers])
    for i, (item, row, carrier) in enumerate(zip(items, rows, carriers)):
        row = change.reread(store.route_row, row,
                            common.route_missing(item.id))
        carrier = change.reread(store.carrier_row, carrier,
                                common.carrier_missing(carrier['id']))
        values = _values(item, carrier, i)
        _check_free(call, values, row['id'])
        with unique(ROUTE_EXISTS, _exists(values).errorstring):
            store.update_route(call.conn, call.schema, row, values)
        change.touch_route(row['reseller'], row)
        change.touch_route(values['reseller'], values)
    change.finish()


def delete_routes(call, routes):
    common.require_operator(call, 'delete routes')
    items = _items(call, routes)
    rows = [common.route(call, item.id) for item in items]
    change = common.Change(call)
    change.lock(*[r['reseller'] for r in rows])
    for item, row in zip(items, rows):
        row = change.reread(store.route_row, row,
                            common.route_missing(item.id))
        store.delete_route(call.conn, call.schema, row)
        change.touch_route(row['reseller'], row)
    change.finish()


@lru_cache(maxsize=None)
def _listing(schema):
    r = schema.pstn_routes.c
    return Listing(
        source=schema.pstn_routes,
        filters={'prefix': (LIKE, r.prefix), 'carrier_id': (EQ, r.carrier_id),
                 'reseller': (EQ, r.reseller), 'id': (EQ, r.id)},
        order={'prefix': r.prefix, 'priority': r.priority},
        default_order=('prefix', 'ASC'), tiebreak=r.id)


def get_routes(call, query):
    total, rows = search(call, _listing(call.schema), query)
    return {'total': total, 'routes': [wire(r) for r in rows]}


OPERATIONS = [
    ('addRoutes', add_routes, [('routes', RouteArray)], RouteArray),
    ('updateRoutes', update_routes, [('routes', RouteArray)], None),
    ('deleteRoutes', delete_routes, [('routes', RouteArray)], None),
    ('getRoutes', get_routes, [('query', RouteQuery)], RouteQueryResult),
]
