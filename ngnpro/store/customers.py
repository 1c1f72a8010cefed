"""Customer records and their properties."""
from functools import lru_cache

from sqlalchemy import bindparam, delete, insert, or_, select, update

from ..names import property_key
from .rows import now, to_columns, to_wire

PROPERTY_MEMBERS = ('name', 'value', 'category', 'permission')


def row(conn, s, customer_id):
    return conn.execute(select(s.customers)
                        .where(s.customers.c.id == customer_id)
                        ).mappings().first()


def id_by_username(conn, s, username):
    return conn.execute(select(s.customers.c.id).where(
        s.customers.c.username == username)).scalar()


def as_wire(r, members, properties):
    out = to_wire(r, members)
    out['properties'] = properties
    for k in ('billingAddress', 'address'):
        out[k] = out.get(k) or ''
    return out


def properties(conn, s, ids):
    """{customer id: [property dicts]} for many customers in one query."""
    p = s.customer_properties
    out = {i: [] for i in ids}
    if not ids:
        return out
    for r in conn.execute(select(p).where(p.c.customer_id.in_(list(ids)))
                          .order_by(p.c.customer_id, p.c.name)).mappings():
        out[r['customer_id']].append(
            {k: r[k] if r[k] is not None else '' for k in PROPERTY_MEMBERS})
    return out


@lru_cache(maxsize=None)
def _property(s):
    """One property's value, built once per schema."""
    p = s.customer_properties
    return select(p.c.value).where(p.c.customer_id == bindparam('c'),
                                   p.c.name == bindparam('n'))


def property_value(conn, s, customer_id, name):
    """One property of one customer; None when it is not set."""
    return conn.execute(_property(s), {'c': customer_id, 'n': name}).scalar()


def property_flag(conn, s, customer_id, name):
    """A yes/no property: True, False, or None when it is not set."""
    value = property_value(conn, s, customer_id, name)
    if value is None or not value.strip():
        return None
    return value.strip().lower() in ('1', 'yes', 'true', 'on')


def insert_customer(conn, s, values, members):
    cols = to_columns(values, members, s.customers)
    cols.pop('id', None)
    cols['change_date'] = now()
    return conn.execute(insert(s.customers).values(**cols)
                        ).inserted_primary_key[0]


def update_customer(conn, s, customer_id, values, members):
    cols = to_columns(values, members, s.customers)
    cols.pop('id', None)
    cols['change_date'] = now()
    conn.execute(update(s.customers).where(s.customers.c.id == customer_id)
                 .values(**cols))


def make_reseller(conn, s, customer_id):
    conn.execute(update(s.customers).where(s.customers.c.id == customer_id)
                 .values(reseller=customer_id))


def _record_tables(s):
    """Every table of records owned by customers (customer/reseller, maybe
    owner columns): later ports' tables are found without a list to keep."""
    return [t for t in s.metadata.sorted_tables if t is not s.customers
            and 'customer' in t.c and 'reseller' in t.c]


def references(conn, s, customer_id):
    """Names of the tables holding records of, owned by or under this
    customer, and of customers under or impersonating it."""
    c = s.customers.c
    found = []
    if conn.execute(select(c.id).where(
            c.id != customer_id, or_(c.reseller == customer_id,
                                     c.impersonate == customer_id))
            .limit(1)).first() is not None:
        found.append(_label(s.customers))
    for t in _record_tables(s):
        cols = [t.c[n] for n in ('customer', 'reseller', 'owner') if n in t.c]
        if conn.execute(select(t.c[cols[0].name]).where(
                or_(*[col == customer_id for col in cols])).limit(1)
                ).first() is not None:
            found.append(_label(t))
    return found


def _label(table):
    return table.name.replace('ngnpro_', '').replace('_', ' ')


def move_records(conn, s, customer_id, reseller):
    """A customer's records follow it to another reseller."""
    for t in _record_tables(s):
        conn.execute(update(t).where(t.c.customer == customer_id)
                     .values(reseller=reseller))


def has_customers(conn, s, reseller):
    c = s.customers.c
    return conn.execute(select(c.id).where(
        c.reseller == reseller, c.id != reseller).limit(1)).first() is not None


def delete_customer(conn, s, customer_id):
    conn.execute(delete(s.credit_usage)
                 .where(s.credit_usage.c.owner == customer_id))
    conn.execute(delete(s.customer_properties)
                 .where(s.customer_properties.c.customer_id == customer_id))
    conn.execute(delete(s.customers).where(s.customers.c.id == customer_id))


def write_properties(conn, s, customer_id, props, replace):
    """Insert or update by name; with replace, also drop the others."""
    p = s.customer_properties
    current = {property_key(r['name']): r['id'] for r in conn.execute(
        select(p.c.id, p.c.name).where(p.c.customer_id == customer_id)
    ).mappings()}
    for prop in props:
        vals = {k: prop.get(k) or '' for k in ('name', 'value', 'category',
                                               'permission')}
        key = property_key(prop['name'])
        if key in current:
            conn.execute(update(p).where(p.c.id == current[key])
                         .values(**vals))
        else:
            conn.execute(insert(p).values(customer_id=customer_id, **vals))
    if replace:
        keep = {property_key(prop['name']) for prop in props}
        gone = [i for n, i in current.items() if n not in keep]
        if gone:
            conn.execute(delete(p).where(p.c.id.in_(gone)))
