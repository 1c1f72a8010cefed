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
import hashlib
import json
import re
from functools import lru_cache

from sqlalchemy import (BigInteger, Boolean, DateTime, Integer, SmallInteger,
                        String, Text, and_, bindparam, event, func, insert,
                        or_, select, tuple_)
from sqlalchemy.sql.dml import Delete, Insert, Update
from sqlalchemy.sql.elements import BindParameter

from .usage import param_sets

MASK = '***'
_SECRET_COLUMN = re.compile(r'(password|ha1|secret|private_key|token|pin)',
                            re.I)
_SECRET_NAME = re.compile(r'(password|secret|token|pin|key)', re.I)
# Not journalled: the journal itself and what the database layer derives.
SKIP = {'ngnpro_journal', 'ngnpro_credit_usage'}
# Binary values and long blobs (greetings, documents) are shown by size
# and digest: the journal says that they changed, not what they hold.
BLOB = 4096


def secret_columns(schema):
    """Columns secret by what they hold rather than by their name:
    {table name: {column}} (a voucher's number redeems its value)."""
    return {schema.prepaid_cards.name: {'number'}}


def _plain(value):
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat(sep=' ') if isinstance(
            value, datetime.datetime) else value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        value = bytes(value)
        try:
            if len(value) <= BLOB:
                return value.decode('utf-8')
        except UnicodeDecodeError:
            pass
        return '<%d bytes sha256:%s>' % (len(value),
                                         hashlib.sha256(value).hexdigest())
    if isinstance(value, str) and len(value) > BLOB:
        return '<%d characters sha256:%s>' % (
            len(value), hashlib.sha256(value.encode('utf-8')).hexdigest())
    return value


def masked(row, secret=()):
    """A row as the journal shows it: secrets masked (by column name, by
    ``secret`` columns, and the value of properties named like a
    secret), values JSON can hold."""
    out = {}
    for k, v in row.items():
        hidden = k in secret or _SECRET_COLUMN.search(k)
        out[k] = MASK if hidden and v not in (None, '') else _plain(v)
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
        # Built once: the row by its key, and rows by a list of keys.
        self.by_key, self.by_keys, self.plans = {}, {}, {}
        for name, table in self.tables.items():
            pk = list(table.primary_key.columns)
            if not pk:
                continue
            self.by_key[name] = select(table).where(and_(*[
                c == bindparam('pk%d' % i) for i, c in enumerate(pk)]))
            if len(pk) == 1:
                self.by_keys[name] = select(table).where(
                    pk[0].in_(bindparam('pks', expanding=True)))
            self.plans[name] = _plan(table)

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
        if table is None:
            return
        saved = conn.info.setdefault('ngnpro_before', {})
        if isinstance(stmt, Insert):
            if len(param_sets(multiparams, params)) > 1 and \
                    _serial(table) is not None:
                # executemany: the new rows are those above today's top.
                col = _serial(table)
                saved[id(stmt)] = conn.execute(select(func.max(col))) \
                    .scalar()
            return
        rows = self._select(conn, table, stmt.whereclause)
        saved[id(stmt)] = rows
        for row in rows:
            self.changes(conn).before(table, row)

    def _after(self, conn, stmt, multiparams, params, execution_options,
               result):
        table = self._table(conn, stmt)
        if table is None:
            return
        changes = self.changes(conn)
        pk = list(table.primary_key.columns)
        saved = conn.info.get('ngnpro_before', {}).pop(id(stmt), None)
        if isinstance(stmt, Insert):
            sets = param_sets(multiparams, params)
            if len(sets) > 1:
                rows = self._inserted_many(conn, table, sets, saved)
            else:
                key = result.inserted_primary_key
                if not key or None in key:
                    rows = []
                else:
                    row = self._as_sent(conn, stmt, table, result, key)
                    rows = [row] if row is not None else [dict(r) for r in (
                        conn.execute(self.by_key[table.name], {
                            'pk%d' % i: v for i, v in enumerate(key)})
                        .mappings())]
            for row in rows:
                changes.after(table, row)
            return
        before = saved or []
        if isinstance(stmt, Delete):
            for row in before:
                changes.after(table, None, row)
            return
        keys = [tuple(r[c.name] for c in pk) for r in before]
        if keys and len(pk) == 1:
            for row in conn.execute(self.by_keys[table.name],
                                    {'pks': [k[0] for k in keys]}).mappings():
                changes.after(table, dict(row))
        elif keys:
            for row in self._select(conn, table, tuple_(*pk).in_(keys)):
                changes.after(table, row)

    def _as_sent(self, conn, stmt, table, result, key):
        """The row a one-row INSERT wrote, from the values it sent (its
        parameters and the column defaults SQLAlchemy filled in) and the
        key the database gave, when those are exactly what the database
        stores and a SELECT would read back; else None (then it is read).
        Values the database fills in itself (server defaults), SQL
        expressions and values a column could alter leave it to the
        SELECT."""
        plan = self.plans.get(table.name)
        if plan is None or stmt._multi_values or stmt._select_names or \
                not _exact_database(conn):
            return None
        if stmt._values and not all(type(v) is BindParameter
                                    for v in stmt._values.values()):
            return None
        sent = result.context.compiled_parameters
        if len(sent) != 1:
            return None
        sent = sent[0]
        keys = dict(zip((c.name for c in table.primary_key.columns), key))
        row = {}
        for name, exact in plan:
            if name in sent:
                value = sent[name]
                if not exact(value):
                    return None
                if name in keys and keys[name] != value:
                    return None
            elif name in keys:
                value = keys[name]
            else:
                return None     # filled in by the database
            row[name] = value
        return row

    def _inserted_many(self, conn, table, sets, top):
        """The rows an executemany INSERT wrote, as stored (ids and
        defaults included): above the serial column's previous top, and
        holding the values sent (rows other transactions committed
        meanwhile do not)."""
        names = [n for n in sets[0] if n in table.c and all(
            isinstance(p.get(n), (str, int)) for p in sets)]
        rows = []
        for i in range(0, len(sets), 100):
            chunk = sets[i:i + 100]
            where = []
            serial = _serial(table)
            if serial is not None and top is not None:
                where.append(serial > top)
            if names:
                where.append(or_(*[and_(*[table.c[n] == p[n] for n in names])
                                   for p in chunk]))
            rows += self._select(conn, table, and_(*where) if where
                                 else None)
        seen, out = set(), []
        for row in rows:       # one chunk may find another's rows too
            key = tuple(row[c.name] for c in table.primary_key.columns)
            if key not in seen:
                seen.add(key)
                out.append(row)
        return out


_RANGES = {SmallInteger: 2 ** 15, Integer: 2 ** 31, BigInteger: 2 ** 63}


def _exact_check(column):
    """A test that a value sent for ``column`` is stored and read back
    unchanged on either database, or None for types the journal always
    reads back (decimals, floats, enums, binaries, custom types)."""
    kind, nullable = type(column.type), column.nullable

    def null(value):
        return value is None and nullable
    if kind in _RANGES:
        top = _RANGES[kind]
        return lambda v: null(v) or (type(v) is int and -top <= v < top)
    if kind in (String, Text):
        # Within the declared size (a non-strict MySQL cuts), no trailing
        # blank (a CHAR column drops it), no character a 3-byte utf8
        # table could not hold.
        size = column.type.length or (16383 if kind is Text else None)
        if size is None:
            return None
        return lambda v: null(v) or (
            type(v) is str and len(v) <= size and not v.endswith(' ') and
            all(c <= '\uffff' for c in v))
    if kind is Boolean:
        return lambda v: null(v) or type(v) is bool
    if kind is DateTime and not column.type.timezone:
        # Whole seconds: a DATETIME column rounds fractions.
        return lambda v: null(v) or (type(v) is datetime.datetime and
                                     v.tzinfo is None and v.microsecond == 0)
    return None


def _plan(table):
    """[(column name, exact check)] of a table whose every column can be
    taken from an INSERT's values, or None."""
    plan = []
    for column in table.columns:
        if column.key != column.name:
            return None
        check = _exact_check(column)
        if check is None:
            return None
        plan.append((column.name, check))
    return plan


def _exact_database(conn):
    """Whether the database stores what it is sent or refuses it: SQLite,
    and MySQL/MariaDB in a strict SQL mode (else it may cut or clamp a
    value with a warning)."""
    if conn.dialect.name == 'sqlite':
        return True
    info = conn.connection.info
    if 'ngnpro_strict' not in info:
        mode = conn.exec_driver_sql('SELECT @@SESSION.sql_mode').scalar() \
            if conn.dialect.name in ('mysql', 'mariadb') else ''
        info['ngnpro_strict'] = 'STRICT_' in (mode or '').upper()
    return info['ngnpro_strict']


def _serial(table):
    """The auto-increment integer primary key column, or None."""
    pk = list(table.primary_key.columns)
    if len(pk) != 1 or pk[0].autoincrement is False:
        return None
    try:
        return pk[0] if pk[0].type.python_type is int else None
    except NotImplementedError:
        return None


class Changes:
    """Before/after images of the rows one call changed."""

    def __init__(self):
        self.rows = {}          # (table, pk) -> [before, after]
        self.order = []

    @staticmethod
    def _key(table, row):
        return table.name, tuple(row.get(c.name)
                                 for c in table.primary_key.columns)

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

    def images(self, secret=None):
        """({table: [rows before]}, {table: [rows after]}), masked, of the
        rows that differ. ``secret``: ngnpro.store.journal.secret_columns."""
        secret = secret or {}
        before, after = {}, {}
        for key in self.order:
            old, new = self.rows[key]
            if old == new:
                continue
            table = key[0]
            hidden = secret.get(table, ())
            if old is not None:
                before.setdefault(table, []).append(masked(old, hidden))
            if new is not None:
                after.setdefault(table, []).append(masked(new, hidden))
        return before, after

    def first_created(self):
        """The id of the first row the call inserted into one of the
        server's own tables (the record an add made), or None."""
        for table, pk in self.order:
            old, new = self.rows[(table, pk)]
            if old is None and new is not None and \
                    table.startswith('ngnpro_') and len(pk) == 1:
                return pk[0]
        return None


_OWNER_COLUMNS = ('customer', 'reseller', 'owner', 'customer_id',
                  'reseller_id')


def owners(conn, s, before, after, principal=None):
    """',17,23,': the customers and resellers whose records the call
    changed. Rows that carry no owner (Kamailio's per-account tables) are
    the SIP account's or domain's they name; failing that, the caller's
    own scope."""
    ids, accounts, domains = set(), set(), set()
    # Customers named by rows that do not name their reseller too.
    resellers_unknown = set()
    owned = False       # a row that says whose it is (even nobody's: 0)
    for images in (before, after):
        for table, rows in images.items():
            for row in rows:
                columns = [c for c in _OWNER_COLUMNS if c in row]
                found = [int(row[c]) for c in columns
                         if isinstance(row.get(c), int) and row[c]]
                if table == s.customers.name and row.get('id'):
                    found.append(int(row['id']))
                elif not any(c in row for c in ('reseller', 'reseller_id')):
                    resellers_unknown.update(found)
                ids.update(found)
                if columns:
                    owned = True
                    continue
                user, domain = row.get('username'), row.get('domain')
                if isinstance(domain, str) and domain:
                    if isinstance(user, str) and user:
                        accounts.add((user, domain))
                    else:
                        domains.add(domain)
    if not owned and (accounts or domains):
        ids.update(_owners_of(conn, s, accounts, domains))
    if not ids and principal is not None and not principal.is_admin:
        ids.update(i for i in (principal.customer_id, principal.reseller_id)
                   if i)
    ids.update(_resellers_of(conn, s, resellers_unknown))
    return ',%s,' % ','.join(map(str, sorted(ids))) if ids else ''


def _resellers_of(conn, s, ids):
    """The resellers of the customers ``ids``: a reseller's journal
    holds its customers' records too."""
    if not ids:
        return set()
    c = s.customers
    return {r for r in conn.execute(select(c.c.reseller).where(
        c.c.id.in_(sorted(ids)[:50]))).scalars() if r}


def _owners_of(conn, s, accounts, domains):
    out = set()
    a, d = s.sip_accounts, s.sip_domains
    if accounts:
        for row in conn.execute(select(a.c.customer, a.c.reseller).where(
                tuple_(a.c.username, a.c.domain).in_(sorted(accounts)[:50]))):
            out.update(i for i in row if i)
    domains |= {dom for _, dom in accounts}
    if domains and not out:
        for row in conn.execute(select(d.c.customer, d.c.reseller).where(
                d.c.domain.in_(sorted(domains)[:50]))):
            out.update(i for i in row if i)
    return out


@lru_cache(maxsize=None)
def _entry(s):
    return insert(s.journal)


def write(conn, s, changes, who, principal, client, operation, record):
    before, after = changes.images(secret_columns(s))
    conn.execute(_entry(s), dict(
        date=datetime.datetime.now().replace(microsecond=0),
        principal=who[:80],
        impersonated=getattr(principal, 'impersonated', 0) or 0,
        client=client[:64], operation=operation, record=record[:255],
        owners=owners(conn, s, before, after, principal)[:255],
        before=json.dumps(before, sort_keys=True, default=str),
        after=json.dumps(after, sort_keys=True, default=str)))


def record_key(in_message, args, result=None, changes=None):
    """The key of the record a call is about, as later calls name it:
    user@domain for SIP accounts and aliases (and their settings,
    mailboxes, balances, presence), number@tld for ENUM numbers and
    prefix@tld for ranges, the name of SIP domains and DNS zones, the IP
    of trusted peers, the id of customers, DNS records, carriers,
    gateways, rules and routes. It comes from what the call created (its
    answer, or the row it inserted) or else its first argument: the
    others (passwords, voucher numbers, audio, lists) never make it."""
    key = _created_key(result)
    if not key and args:
        first = args[0]
        key = _key_of(first)
        if changes is not None and _lacks_id(first):
            created = changes.first_created()
            if created is not None:
                key = str(created)
    return key[:255]


def _created_key(result):
    """The id of what an add created, from its answer."""
    if isinstance(result, (list, tuple)):
        keys = [k for k in map(_created_key, result) if k]
        return ','.join(keys[:10]) + (',...' if len(keys) > 10 else '')
    return _key_of(_get(result, 'id')) if result is not None else ''


def _get(value, member):
    if isinstance(value, dict):
        return value.get(member)
    return getattr(value, member, None)


def _lacks_id(value):
    """A record sent without the id the server assigns (an add)."""
    return not isinstance(value, (str, int, list, tuple, dict)) and \
        value is not None and 'id' in getattr(type(value), '_type_info',
                                               {}) and value.id is None


def _key_of(value, depth=0):
    if value is None or depth > 2 or isinstance(value, bool):
        return ''
    if isinstance(value, (str, int)):
        return str(value)
    if isinstance(value, (list, tuple)):
        keys = [k for k in (_key_of(v, depth + 1) for v in value) if k]
        return ','.join(keys[:10]) + (',...' if len(keys) > 10 else '')
    user, domain = _get(value, 'username'), _get(value, 'domain')
    if isinstance(user, str) and isinstance(domain, str) and user:
        return '%s@%s' % (user, domain)
    tld = _get(value, 'tld')
    for member in ('number', 'prefix'):
        digits = _get(value, member)
        if isinstance(tld, str) and isinstance(digits, str):
            return '%s@%s' % (digits, tld)
    for member in ('id', 'sipId'):
        key = _key_of(_get(value, member), depth + 1)
        if key:
            return key
    for member in ('domain', 'name', 'ip', 'entity'):
        key = _get(value, member)
        if isinstance(key, str) and key:
            return key
    return ''
