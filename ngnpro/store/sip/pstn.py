"""PSTN routing records (carriers, gateways, gateway rules, routes) and
their compilation into Kamailio's lcr_gw, lcr_rule and lcr_rule_target
tables, one lcr instance (lcr_id) per reseller.

The lcr rows of an instance are kept equal to ngnpro.routing.lcr_tables()
of the records, in the same transaction as the records: sync() recompiles
and writes only the rows that differ.
"""
from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from ... import routing
from ...faults import LCR_INSTANCES_EXHAUSTED, NGNProError, invalid
from ..rows import now

PLATFORM_LCR_ID = 1       # the routing of reseller 0 (the admin's)
# A change below more prefixes than this reads all rows of its instance
# rather than a query naming every prefix.
MAX_AREA_QUERY = 50


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


def route_rows(conn, s, route_ids):
    """Routes by id, in the order of ``route_ids``."""
    t = s.pstn_routes
    found = {}
    for i in range(0, len(route_ids), 500):
        found.update((r['id'], r) for r in conn.execute(select(t).where(
            t.c.id.in_(route_ids[i:i + 500]))).mappings())
    return [found[i] for i in route_ids]


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


def release_instance(conn, s, reseller, lcr_id):
    """A reseller without carriers gives its instance back (its customers'
    calls then follow the platform's routing); True if it did."""
    if reseller == 0:
        return False
    c = s.pstn_carriers.c
    if conn.execute(select(func.count()).select_from(s.pstn_carriers)
                    .where(c.reseller == reseller)).scalar_one():
        return False
    t = s.lcr_instances
    conn.execute(delete(t).where(t.c.reseller == reseller))
    for table in (s.lcr_rule_target, s.lcr_rule, s.lcr_gw):
        conn.execute(delete(table).where(table.c.lcr_id == lcr_id))
    return True


# -- routing and its lcr rows ------------------------------------------------

def _prefix_clause(column, prefixes):
    """Rows whose prefix is one of ``prefixes``, above or below it."""
    above = {p[:k] for p in prefixes for k in range(len(p) + 1)}
    return or_(column.in_(sorted(above)),
               *[column.like(p + '%') for p in set(prefixes) if p])


def load_routing(conn, s, reseller, lcr_id, prefixes=None):
    """The stored routing of one reseller (0 = the platform); with
    ``prefixes`` only the routes at, above or below them (all that a
    recompilation below those prefixes reads)."""
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
    stmt = select(rt).where(rt.c.reseller == reseller)
    if prefixes is not None:
        if not prefixes:
            stmt = None
        elif '' not in prefixes:
            stmt = stmt.where(_prefix_clause(rt.c.prefix, prefixes))
    routes = [] if stmt is None else [
        routing.Route(x['id'], x['carrier_id'], x['prefix'], x['originator'],
                      x['priority']) for x in conn.execute(stmt).mappings()]
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


def routes_of_carriers(conn, s, carrier_ids):
    """(originator, prefix) of the routes to some carriers."""
    rt = s.pstn_routes.c
    return conn.execute(select(rt.originator, rt.prefix).distinct().where(
        rt.carrier_id.in_(carrier_ids))).all()


def sync(conn, s, reseller, lcr_id, lcr_gw_count, areas=None):
    """Make the lcr rows of ``lcr_id`` those of the reseller's routing.

    ``areas`` (ngnpro.routing.Areas) limits the work to the regions a
    change can touch; None recompiles everything. The lcr_gw rows (few) are
    always brought up to date. Returns whether a row changed."""
    prefixes = None
    if areas is not None and not areas.everything:
        prefixes = areas.prefixes()
        if len(prefixes) > MAX_AREA_QUERY:
            prefixes = None   # cheaper to read all than to list them
    table = load_routing(conn, s, reseller, lcr_id, prefixes)
    try:
        tables = routing.lcr_tables(table, areas)
    except routing.RoutingError as exc:
        raise invalid(str(exc))
    state = {'changed': False, 'unlinked': False}
    gw_ids = _sync_gws(conn, s, lcr_id, table, tables.gws, state)
    rule_ids, have_targets = _sync_rules(conn, s, lcr_id, tables.rules,
                                         areas, state)
    wanted = {}
    for rule in tables.rules:
        for tag, priority in rule.targets:
            wanted[(rule_ids[(rule.prefix, rule.from_uri)], gw_ids[tag])] = \
                {'priority': priority, 'weight': 1}
    if _apply(conn, s.lcr_rule_target, lcr_id, have_targets, wanted,
              lambda key: {'rule_id': key[0], 'gw_id': key[1]}, state)[1]:
        state['unlinked'] = True
    used = len(gw_ids)
    if state['unlinked']:
        # Rows of gateways and rules that no region uses any more.
        g, t = s.lcr_gw, s.lcr_rule_target
        linked = set(conn.execute(select(t.c.gw_id).distinct().where(
            t.c.lcr_id == lcr_id)).scalars())
        unused = [i for i in gw_ids.values() if i not in linked]
        for chunk in _chunks(unused):
            conn.execute(delete(g).where(g.c.id.in_(chunk)))
        used -= len(unused)
    if used + 1 > lcr_gw_count:
        raise invalid('The PSTN routing of reseller %d needs %d lcr_gw rows '
                      '(one per gateway and rule in use); Kamailio is '
                      'configured for %d ([pstn] lcr_gw_count)'
                      % (reseller, used, lcr_gw_count - 1))
    return state['changed']


def _apply(conn, table, lcr_id, have, wanted, key_values, state,
           lookup=None):
    """Delete, update and insert rows so that ``have`` (key -> row) becomes
    ``wanted`` (key -> values); returns (key -> row id, ids deleted). New
    rows go in one statement per chunk; ``lookup(keys)`` then finds their
    ids (None: the ids of new rows are not needed)."""
    gone = [row['id'] for key, row in have.items() if key not in wanted]
    for chunk in _chunks(gone):
        conn.execute(delete(table).where(table.c.id.in_(chunk)))
    ids, new = {}, []
    for key, values in wanted.items():
        row = have.get(key)
        if row is None:
            new.append(key)
            continue
        ids[key] = row['id']
        if any(row[k] != v for k, v in values.items()):
            conn.execute(update(table).where(table.c.id == row['id'])
                         .values(**values))
            state['changed'] = True
    for chunk in _chunks(new):
        conn.execute(insert(table), [dict(lcr_id=lcr_id, **key_values(key),
                                          **wanted[key]) for key in chunk])
    if new and lookup is not None:
        ids.update(lookup(new))
    if gone or new:
        state['changed'] = True
    return ids, gone


def _chunks(ids, size=500):
    ids = list(ids)
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def _gw_values(g):
    return {'gw_name': g.gw_name, 'ip_addr': g.ip_addr,
            'hostname': g.hostname, 'port': g.port, 'params': None,
            'uri_scheme': g.uri_scheme, 'transport': g.transport,
            'strip': g.strip, 'prefix': g.prefix, 'flags': 0,
            'defunct': None}


def _sync_gws(conn, s, lcr_id, table, gws, state):
    """Every lcr_gw row of the instance as its gateway and rule now are
    (rows of gone ones are dropped with their targets), plus the rows
    ``gws`` asks for; tag -> id."""
    t, rt = s.lcr_gw, s.lcr_rule_target
    have = {r['tag']: r for r in conn.execute(
        select(t).where(t.c.lcr_id == lcr_id)).mappings()}
    gateways = {g.id: g for g in table.gateways}
    rules = {r.id: r for r in table.rules}
    wanted = {}
    for tag in have:
        now_row = gws.get(tag) or routing.gw_row(gateways, rules, tag)
        if now_row is None:
            # Its gateway or rule is gone: so are the regions using it.
            conn.execute(delete(rt).where(rt.c.lcr_id == lcr_id,
                                          rt.c.gw_id == have[tag]['id']))
        else:
            wanted[tag] = _gw_values(now_row)
    for tag, g in gws.items():
        wanted[tag] = _gw_values(g)
    def lookup(tags):
        return dict(conn.execute(select(t.c.tag, t.c.id).where(
            t.c.lcr_id == lcr_id, t.c.tag.in_(tags))).all())
    return _apply(conn, t, lcr_id, have, wanted, lambda tag: {'tag': tag},
                  state, lookup)[0]


def _sync_rules(conn, s, lcr_id, rules, areas, state):
    """lcr_rule rows of the areas as ``rules`` says; returns ((prefix,
    from_uri) -> id, the targets of the kept rules by (rule, gw) id)."""
    t, rt = s.lcr_rule, s.lcr_rule_target
    if areas is not None and not areas:
        return {}, {}
    stmt = select(t).where(t.c.lcr_id == lcr_id)
    if areas is not None and not areas.everything and \
            len(areas.prefixes()) <= MAX_AREA_QUERY:
        stmt = stmt.where(or_(*[t.c.prefix.like(p + '%')
                                for p in areas.prefixes()]))
    have = {}
    for r in conn.execute(stmt).mappings():
        if areas is None or areas.covers_row(r['prefix'], r['from_uri']):
            have[(r['prefix'] or '', r['from_uri'])] = r
    wanted = {(r.prefix, r.from_uri): {
        'request_uri': r.request_uri, 'mt_tvalue': None,
        'stopper': r.stopper, 'enabled': 1} for r in rules}
    gone = [row['id'] for key, row in have.items() if key not in wanted]
    for chunk in _chunks(gone):
        conn.execute(delete(rt).where(rt.c.rule_id.in_(chunk)))
    if gone:
        state['unlinked'] = True
    def lookup(keys):
        wanted_keys, found = set(keys), {}
        for chunk in _chunks(sorted({k[0] for k in keys})):
            for i, prefix, from_uri in conn.execute(
                    select(t.c.id, t.c.prefix, t.c.from_uri).where(
                        t.c.lcr_id == lcr_id, t.c.prefix.in_(chunk))):
                if (prefix or '', from_uri) in wanted_keys:
                    found[(prefix or '', from_uri)] = i
        return found
    ids = _apply(conn, t, lcr_id, have, wanted,
                 lambda key: {'prefix': key[0], 'from_uri': key[1]},
                 state, lookup)[0]
    kept = [row['id'] for key, row in have.items() if key in wanted]
    targets = {}
    whole = areas is None or areas.everything
    for chunk in [None] if whole else _chunks(kept):
        stmt = select(rt).where(rt.c.lcr_id == lcr_id)
        if chunk is not None:
            stmt = stmt.where(rt.c.rule_id.in_(chunk))
        for r in conn.execute(stmt).mappings():
            targets[(r['rule_id'], r['gw_id'])] = r
    return ids, targets
