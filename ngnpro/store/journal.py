"""The audit journal: one entry per successful write call, in the same
transaction as the change, with who, what, when, and every row of the
server's own tables the call changed, before and after.

Rows are captured by the database layer from the statements themselves, so
every operation of every port is journalled without code of its own, and
a refused call (rolled back) leaves no entry. Secrets are masked: password,
HA1, key and token columns, and property rows whose name says they hold one.
"""
import datetime
import decimal
import json
import re

from sqlalchemy import event, insert, select, tuple_
from sqlalchemy.sql.dml import Delete, Insert, Update

from .usage import param_sets

MASK = '***'
_SECRET_COLUMN = re.compile(r'(password|ha1|secret|private_key|token|pin)',
                            re.I)
_SECRET_NAME = re.compile(r'(password|secret|token|pin|key)', re.I)
# Not journalled: the journal itself and what the database layer derives.
SKIP = {'ngnpro_journal', 'ngnpro_credit_usage'}


def _plain(value):
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat(sep=' ') if isinstance(
            value, datetime.datetime) else value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.decode('utf-8', 'replace')
    return value


def masked(row):
    out = {}
    for k, v in row.items():
        out[k] = MASK if v not in (None, '') and _SECRET_COLUMN.search(k) \
            else _plain(v)
    # Properties: {name, value} rows; the value of a secret-named one.
    name = row.get('name')
    if isinstance(name, str) and 'value' in row and _SECRET_NAME.search(name) \
            and row.get('value') not in (None, ''):
        out['value'] = MASK
    return out


class Recorder:
    """Engine hooks that collect, for the connection's current call, the
    before and after images of every row its statements change."""

    def __init__(self, schema):
        self.schema = schema
        self.tables = {t.name: t for t in schema.metadata.sorted_tables
                       if t.name not in SKIP}

    def install(self, engine):
        event.listen(engine, 'before_execute', self._before)
        event.listen(engine, 'after_execute', self._after)

    @staticmethod
    def changes(conn):
        """The change set of the call running on ``conn``, or None."""
        return conn.info.get('ngnpro_changes')

    def _table(self, conn, stmt):
        if self.changes(conn) is None or \
                not isinstance(stmt, (Insert, Update, Delete)):
            return None
        table = self.tables.get(getattr(stmt.table, 'name', None))
        if table is None or not table.primary_key.columns:
            return None
        return table

    def _select(self, conn, table, where):
        q = select(table)
        if where is not None:
            q = q.where(where)
        return [dict(r) for r in conn.execute(q).mappings()]

    def _before(self, conn, stmt, multiparams, params, execution_options):
        table = self._table(conn, stmt)
        if table is None or isinstance(stmt, Insert):
            return
        rows = self._select(conn, table, stmt.whereclause)
        conn.info.setdefault('ngnpro_before', {})[id(stmt)] = rows
        for row in rows:
            self.changes(conn).before(table, row)

    def _after(self, conn, stmt, multiparams, params, execution_options,
               result):
        table = self._table(conn, stmt)
        if table is None:
            return
        changes = self.changes(conn)
        pk = list(table.primary_key.columns)
        if isinstance(stmt, Insert):
            sets = param_sets(multiparams, params)
            many = sets if len(sets) > 1 else []
            key = None if many else result.inserted_primary_key
            if key and None not in key:
                rows = self._select(conn, table, tuple_(*pk) == tuple(key))
            else:                 # executemany: what was sent
                rows = many
            for row in rows:
                changes.after(table, row)
            return
        before = conn.info.get('ngnpro_before', {}).pop(id(stmt), [])
        if isinstance(stmt, Delete):
            for row in before:
                changes.after(table, None, row)
            return
        keys = [tuple(r[c.name] for c in pk) for r in before]
        if keys:
            for row in self._select(conn, table, tuple_(*pk).in_(keys)):
                changes.after(table, row)


class Changes:
    """Before/after images of the rows one call changed."""

    def __init__(self):
        self.rows = {}          # (table, pk) -> [before, after]
        self.order = []

    @staticmethod
    def _key(table, row):
        pk = tuple(row.get(c.name) for c in table.primary_key.columns)
        if None in pk:          # executemany inserts: no id known
            pk = ('new', len(row), tuple(sorted(map(str, row.items()))))
        return table.name, pk

    def before(self, table, row):
        key = self._key(table, row)
        if key not in self.rows:
            self.rows[key] = [row, row]
            self.order.append(key)

    def after(self, table, row, gone=None):
        key = self._key(table, row if row is not None else gone)
        if key not in self.rows:
            self.rows[key] = [None, row]
            self.order.append(key)
        else:
            self.rows[key][1] = row

    def images(self):
        """({table: [rows before]}, {table: [rows after]}), masked, of the
        rows that differ."""
        before, after = {}, {}
        for key in self.order:
            old, new = self.rows[key]
            if old == new:
                continue
            table = key[0]
            if old is not None:
                before.setdefault(table, []).append(masked(old))
            if new is not None:
                after.setdefault(table, []).append(masked(new))
        return before, after


def owners(before, after):
    """',17,23,': the customer and reseller ids in the changed rows."""
    ids = set()
    for images in (before, after):
        for table, rows in images.items():
            for row in rows:
                for col in ('customer', 'reseller', 'owner'):
                    if row.get(col):
                        ids.add(int(row[col]))
                if table == 'ngnpro_customers' and row.get('id'):
                    ids.add(int(row['id']))
    return ',%s,' % ','.join(map(str, sorted(ids))) if ids else ''


def write(conn, s, changes, who, impersonated, client, operation, record):
    before, after = changes.images()
    conn.execute(insert(s.journal).values(
        date=datetime.datetime.now().replace(microsecond=0),
        principal=who[:80], impersonated=impersonated or 0,
        client=client[:64], operation=operation, record=record[:255],
        owners=owners(before, after)[:255],
        before=json.dumps(before, sort_keys=True, default=str),
        after=json.dumps(after, sort_keys=True, default=str)))


def record_key(args):
    """A readable key of the record a call is about, from its arguments:
    user@domain for SIP ids, the name or id of other records."""
    parts = []
    for value in args:
        key = _key_of(value)
        if key:
            parts.append(key)
    return ' '.join(parts)[:255]


def _key_of(value, depth=0):
    if value is None or depth > 3:
        return ''
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, (list, tuple)):
        keys = [_key_of(v, depth + 1) for v in value[:5]]
        return ','.join(k for k in keys if k)
    username = getattr(value, 'username', None)
    domain = getattr(value, 'domain', None)
    if isinstance(username, str) and isinstance(domain, str):
        return '%s@%s' % (username, domain)
    for member in ('id', 'sipId', 'domain', 'name', 'ip', 'number',
                   'entity', 'prefix', 'username'):
        key = _key_of(getattr(value, member, None), depth + 1)
        if key:
            return key
    return ''
