"""PSTN routing records (carriers, gateways, gateway rules, routes) and
their compilation into Kamailio's lcr_gw, lcr_rule and lcr_rule_target
tables, one lcr instance (lcr_id) per reseller.

The lcr rows of an instance are kept equal to ngnpro.routing.lcr_tables()
of the records, in the same transaction as the records: sync() recompiles
and writes only the rows that differ.
"""
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ... import routing
from ...faults import LCR_INSTANCES_EXHAUSTED, NGNProError, invalid
from ..rows import now

PLATFORM_LCR_ID = 1       # the routing of reseller 0 (the admin's)


# -- records ------------------------------------------------------------------

def _row(conn, table, record_id, for_update=False):
    stmt = select(table).where(table.c.id == record_id)
    if for_update:
        stmt = stmt.with_for_update()
    return conn.execute(stmt).mappings().first()


def carrier_row(conn, s, carrier_id, for_update=False):
    return _row(conn, s.pstn_carriers, carrier_id, for_update)


def gateway_row(conn, s, gateway_id, for_update=False):
    return _row(conn, s.pstn_gateways, gateway_id, for_update)


def rule_row(conn, s, rule_id, for_update=False):
    return _row(conn, s.pstn_gateway_rules, rule_id, for_update)


def route_row(conn, s, route_id, for_update=False):
    return _row(conn, s.pstn_routes, route_id, for_update)


def carrier_by_name(conn, s, reseller, name):
    c = s.pstn_carriers.c
    return conn.execute(select(s.pstn_carriers).where(
        c.reseller == reseller, c.name == name)).mappings().first()


def gateway_by_name(conn, s, reseller, name):
    g = s.pstn_gateways.c
    return conn.execute(select(s.pstn_gateways).where(
        g.reseller == reseller, g.name == name)).mappings().first()


def gateway_name_clash(conn, s, carrier_id, reseller):
    """The name of a gateway of ``carrier_id`` that reseller ``reseller``
    already uses for another gateway, or None."""
    g = s.pstn_gateways
    other = g.alias('other')
    return conn.execute(
        select(g.c.name).join(other, other.c.name == g.c.name)
        .where(g.c.carrier_id == carrier_id, other.c.reseller == reseller,
               other.c.id != g.c.id).limit(1)).scalar()


def route_by_key(conn, s, reseller, prefix, originator, carrier_id):
    r = s.pstn_routes.c
    return conn.execute(select(s.pstn_routes).where(
        r.reseller == reseller, r.prefix == prefix,
        r.originator == originator, r.carrier_id == carrier_id)
    ).mappings().first()


def _count(conn, table, column, value):
    return conn.execute(select(func.count()).select_from(table)
                        .where(column == value)).scalar_one()


def carrier_use(conn, s, carrier_id):
    """(gateways, routes) that refer to a carrier."""
    return (_count(conn, s.pstn_gateways, s.pstn_gateways.c.carrier_id,
                   carrier_id),
            _count(conn, s.pstn_routes, s.pstn_routes.c.carrier_id,
                   carrier_id))


def gateway_use(conn, s, gateway_id):
    """Gateway rules of a gateway."""
    t = s.pstn_gateway_rules
    return _count(conn, t, t.c.gateway_id, gateway_id)


def _insert(conn, table, values):
    return conn.execute(insert(table).values(
        change_date=now(), **values)).inserted_primary_key[0]


def insert_carrier(conn, s, values):
    return _insert(conn, s.pstn_carriers, values)


def update_carrier(conn, s, row, values):
    """Rename / move a carrier: its gateways, their rules and its routes
    follow (names repeated, reseller)."""
    stamp = now()
    conn.execute(update(s.pstn_carriers)
                 .where(s.pstn_carriers.c.id == row['id'])
                 .values(change_date=stamp, **values))
    follow = {'carrier': values['name'], 'reseller': values['reseller']}
    for table in (s.pstn_gateways, s.pstn_gateway_rules, s.pstn_routes):
        conn.execute(update(table).where(table.c.carrier_id == row['id'])
                     .values(**follow))


def delete_carrier(conn, s, row):
    conn.execute(delete(s.pstn_carriers)
                 .where(s.pstn_carriers.c.id == row['id']))


def insert_gateway(conn, s, values):
    return _insert(conn, s.pstn_gateways, values)


def update_gateway(conn, s, row, values):
    """Change a gateway; its rules follow its name, carrier and reseller."""
    conn.execute(update(s.pstn_gateways)
                 .where(s.pstn_gateways.c.id == row['id'])
                 .values(change_date=now(), **values))
    t = s.pstn_gateway_rules
    conn.execute(update(t).where(t.c.gateway_id == row['id']).values(
        gateway=values['name'], carrier_id=values['carrier_id'],
        carrier=values['carrier'], reseller=values['reseller']))


def delete_gateway(conn, s, row):
    conn.execute(delete(s.pstn_gateways)
                 .where(s.pstn_gateways.c.id == row['id']))


def insert_rule(conn, s, values):
    return _insert(conn, s.pstn_gateway_rules, values)


def update_rule(conn, s, row, values):
    t = s.pstn_gateway_rules
    conn.execute(update(t).where(t.c.id == row['id'])
                 .values(change_date=now(), **values))


def delete_rule(conn, s, row):
    t = s.pstn_gateway_rules
    conn.execute(delete(t).where(t.c.id == row['id']))


def insert_route(conn, s, values):
    return _insert(conn, s.pstn_routes, values)


def update_route(conn, s, row, values):
    t = s.pstn_routes
    conn.execute(update(t).where(t.c.id == row['id'])
                 .values(change_date=now(), **values))


def delete_route(conn, s, row):
    t = s.pstn_routes
    conn.execute(delete(t).where(t.c.id == row['id']))


# -- lcr instances ------------------------------------------------------------

def instance_of(conn, s, reseller):
    i = s.lcr_instances.c
    return conn.execute(select(i.lcr_id).where(i.reseller == reseller)
                        ).scalar()


def lock_instances(conn, s, resellers, lcr_count):
    """Take the instance of every reseller given (creating missing ones),
    in a fixed order; returns {reseller: lcr_id}.

    The row update is the lock: a second writer of the same instance waits
    for this transaction (and on a Galera cluster one of two concurrent
    writers fails certification), while other instances stay free."""
    out = {}
    for reseller in sorted(set(resellers)):
        out[reseller] = _take(conn, s, reseller, lcr_count)
    return out


def _take(conn, s, reseller, lcr_count):
    t = s.lcr_instances
    for _ in range(8):
        taken = conn.execute(update(t).where(t.c.reseller == reseller).values(
            serial=t.c.serial + 1, change_date=now())).rowcount
        if taken:
            return instance_of(conn, s, reseller)
        if reseller == 0:
            lcr_id = PLATFORM_LCR_ID
        else:
            used = set(conn.execute(select(t.c.lcr_id)).scalars())
            free = [i for i in range(PLATFORM_LCR_ID + 1, lcr_count + 1)
                    if i not in used]
            if not free:
                raise NGNProError(
                    LCR_INSTANCES_EXHAUSTED, 'No free lcr instance for the '
                    'PSTN routing of reseller %d: all %d are in use (raise '
                    '[pstn] lcr_count and the lcr module\'s lcr_count)'
                    % (reseller, lcr_count))
            lcr_id = free[0]
        # Another writer may take the same lcr_id (or create this
        # reseller's instance) at the same moment: the unique keys refuse
        # the loser, which looks again.
        try:
            with conn.begin_nested():
                conn.execute(insert(t).values(lcr_id=lcr_id,
                                              reseller=reseller, serial=1,
                                              change_date=now()))
            return lcr_id
        except IntegrityError:
            continue
    raise NGNProError(LCR_INSTANCES_EXHAUSTED, 'Could not assign an lcr '
                      'instance to reseller %d, try again' % reseller)


def release_instance(conn, s, reseller):
    """A reseller without carriers gives its instance back (its customers'
    calls then follow the platform's routing)."""
    if reseller == 0:
        return
    c = s.pstn_carriers.c
    if conn.execute(select(func.count()).select_from(s.pstn_carriers)
                    .where(c.reseller == reseller)).scalar_one():
        return
    t = s.lcr_instances
    conn.execute(delete(t).where(t.c.reseller == reseller))


# -- routing and its lcr rows -------------------------------------------------

def load_routing(conn, s, reseller, lcr_id):
    """The stored routing of one reseller (0 = the platform)."""
    g, r, rt = s.pstn_gateways, s.pstn_gateway_rules, s.pstn_routes
    gateways = [routing.Gateway(x['id'], x['name'], x['carrier_id'],
                                x['carrier'], x['ip'], x['port'],
                                x['transport'])
                for x in conn.execute(select(g).where(g.c.reseller == reseller)
                                      ).mappings()]
    rules = [routing.Rule(x['id'], x['gateway_id'], x['prefix'], x['strip'],
                          x['prepend'], x['min_length'], x['max_length'])
             for x in conn.execute(select(r).where(r.c.reseller == reseller)
                                   ).mappings()]
    routes = [routing.Route(x['id'], x['carrier_id'], x['prefix'],
                            x['originator'], x['priority'])
              for x in conn.execute(select(rt).where(rt.c.reseller == reseller)
                                    ).mappings()]
    return routing.Routing(lcr_id, reseller, gateways, rules, routes)


def routing_for(conn, s, reseller):
    """The routing that calls of a reseller's customers follow: its own
    instance, else the platform's (as pstn.cfg picks the lcr_id)."""
    lcr_id = instance_of(conn, s, reseller) if reseller else None
    if lcr_id is None:
        reseller = 0
        lcr_id = instance_of(conn, s, 0) or PLATFORM_LCR_ID
    return load_routing(conn, s, reseller, lcr_id)


def domain_reseller(conn, s, domain):
    d = s.sip_domains.c
    return conn.execute(select(d.reseller).where(d.domain == domain)).scalar()


def sync(conn, s, reseller, lcr_id, lcr_gw_count):
    """Make the lcr rows of ``lcr_id`` those of the reseller's routing."""
    try:
        tables = routing.lcr_tables(load_routing(conn, s, reseller, lcr_id))
    except routing.RoutingError as exc:
        raise invalid(str(exc))
    if len(tables.gws) + 1 > lcr_gw_count:
        raise invalid('The PSTN routing of reseller %d needs %d lcr_gw rows '
                      '(one per gateway and rule in use); Kamailio is '
                      'configured for %d ([pstn] lcr_gw_count)'
                      % (reseller, len(tables.gws), lcr_gw_count - 1))
    gw_ids = _sync_gws(conn, s, lcr_id, tables.gws)
    rule_ids = _sync_rules(conn, s, lcr_id, tables.rules)
    wanted = {}
    for rule in tables.rules:
        for tag, priority in rule.targets:
            wanted[(rule_ids[(rule.prefix, rule.from_uri)], gw_ids[tag])] = \
                {'priority': priority, 'weight': 1}
    t = s.lcr_rule_target
    have = {(r['rule_id'], r['gw_id']): r for r in conn.execute(
        select(t).where(t.c.lcr_id == lcr_id)).mappings()}
    _apply(conn, t, lcr_id, have, wanted,
           lambda key: {'rule_id': key[0], 'gw_id': key[1]})


def _apply(conn, table, lcr_id, have, wanted, key_values):
    """Delete, update and insert rows so that ``have`` (key -> row) becomes
    ``wanted`` (key -> values); returns key -> row id."""
    gone = [row['id'] for key, row in have.items() if key not in wanted]
    if gone:
        conn.execute(delete(table).where(table.c.id.in_(gone)))
    ids = {}
    for key, values in wanted.items():
        row = have.get(key)
        if row is None:
            ids[key] = conn.execute(insert(table).values(
                lcr_id=lcr_id, **key_values(key), **values)
            ).inserted_primary_key[0]
            continue
        ids[key] = row['id']
        if any(row[k] != v for k, v in values.items()):
            conn.execute(update(table).where(table.c.id == row['id'])
                         .values(**values))
    return ids


def _sync_gws(conn, s, lcr_id, gws):
    t = s.lcr_gw
    have = {r['tag']: r for r in conn.execute(
        select(t).where(t.c.lcr_id == lcr_id)).mappings()}
    wanted = {tag: {'gw_name': g.gw_name, 'ip_addr': g.ip_addr,
                    'hostname': g.hostname, 'port': g.port, 'params': None,
                    'uri_scheme': g.uri_scheme, 'transport': g.transport,
                    'strip': g.strip, 'prefix': g.prefix, 'flags': 0,
                    'defunct': None}
              for tag, g in gws.items()}
    return _apply(conn, t, lcr_id, have, wanted, lambda tag: {'tag': tag})


def _sync_rules(conn, s, lcr_id, rules):
    t = s.lcr_rule
    have = {(r['prefix'] or '', r['from_uri']): r for r in conn.execute(
        select(t).where(t.c.lcr_id == lcr_id)).mappings()}
    wanted = {(r.prefix, r.from_uri): {
        'request_uri': r.request_uri, 'mt_tvalue': None,
        'stopper': r.stopper, 'enabled': 1} for r in rules}
    # Targets of rules that go are deleted with them.
    gone = [row['id'] for key, row in have.items() if key not in wanted]
    if gone:
        rt = s.lcr_rule_target
        conn.execute(delete(rt).where(rt.c.rule_id.in_(gone)))
    return _apply(conn, t, lcr_id, have, wanted,
                  lambda key: {'prefix': key[0], 'from_uri': key[1]})
