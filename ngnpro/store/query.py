"""The one query layer behind every get*s operation (spec §3.2, §5.1-7).

filter  -> string members are SQL LIKE patterns (the client means % and _ as
           wildcards; a pattern without them is an exact match), '' and 0 mean
           "no condition"; every value is a bound parameter.
orderBy -> an attribute from a per-type whitelist, else the type's default.
range   -> OFFSET/LIMIT, capped by the configured maximum page size.
total   -> COUNT(*) over the same filter, ignoring range.

A deep page (offset of DEFERRED_JOIN_OFFSET or more) is found by its keys
first, then fetched: the rows skipped are walked in an index (the order
column's, which carries the unique key), never read in full.
"""
from dataclasses import dataclass, field

from sqlalchemy import and_, func, select

from ..faults import invalid

LIKE, EQ, BOOL = 'like', 'eq', 'bool'
DEFERRED_JOIN_OFFSET = 1000


@dataclass
class Listing:
    """How one record type is searched: filter member -> (kind, column),
    orderBy attribute -> column, and the default order."""
    source: object                       # the Table listed
    filters: dict
    order: dict
    default_order: tuple                 # (attribute, 'ASC'|'DESC')
    tiebreak: object = None              # unique column for stable pages
    custom: dict = field(default_factory=dict)  # member -> fn(value) -> clause


def _get(obj, name):
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def conditions(listing, flt):
    out = []
    for name, (kind, column) in listing.filters.items():
        value = _get(flt, name)
        if kind == LIKE:
            if value is None or value.strip('%') == '':
                # '' = no condition; a pattern of only % must also match
                # empty/NULL columns (spec §5.6).
                continue
            out.append(column.like(value))
        elif kind == EQ:
            if value in (None, 0, ''):
                continue
            out.append(column == int(value))
        elif kind == BOOL:
            if value is None:
                continue
            out.append(column == bool(value))
    for name, build in listing.custom.items():
        value = _get(flt, name)
        clause = build(value)
        if clause is not None:
            out.append(clause)
    return out


def page(conn, listing, query, scope=(), max_count=5000):
    """Run a Query {filter, orderBy, range}; returns (total, rows)."""
    where = list(scope) + conditions(listing, _get(query, 'filter'))
    clause = and_(*where) if where else None

    count_stmt = select(func.count()).select_from(listing.source)
    stmt = select(listing.source)
    if clause is not None:
        count_stmt = count_stmt.where(clause)
        stmt = stmt.where(clause)
    total = conn.execute(count_stmt).scalar_one()

    order = _get(query, 'orderBy')
    attribute = _get(order, 'attribute')
    direction = (_get(order, 'direction') or '').upper()
    if attribute not in listing.order:
        # Absent or unknown: the default order, direction included (§5.5).
        attribute, direction = listing.default_order
    elif direction not in ('ASC', 'DESC'):
        direction = 'ASC'
    column = listing.order[attribute]
    keys = [column] + ([listing.tiebreak] if listing.tiebreak is not None
                       else [])
    ordering = [k.desc() if direction == 'DESC' else k.asc() for k in keys]
    stmt = stmt.order_by(*ordering)

    rng = _get(query, 'range')
    start = _get(rng, 'start') or 0
    count = _get(rng, 'count')
    if start < 0 or (count is not None and count < 0):
        raise invalid('range.start and range.count must not be negative')
    if count is None:
        count = max_count
    count = min(count, max_count)
    if start >= DEFERRED_JOIN_OFFSET and listing.tiebreak is not None:
        found = stmt.with_only_columns(listing.tiebreak) \
            .offset(start).limit(count).subquery()
        stmt = select(listing.source).join(
            found, listing.tiebreak == list(found.c)[0]).order_by(*ordering)
    else:
        stmt = stmt.offset(start).limit(count)
    return total, conn.execute(stmt).mappings().all()
