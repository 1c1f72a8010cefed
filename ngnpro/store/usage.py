"""Credit usage counters: how many records of each counted kind every
customer and reseller holds, kept in ``ngnpro_credit_usage``.

They are maintained by the database layer itself, from the statements that
insert, delete or re-assign counted records, in the same transaction: no
port has to remember to count. A credit check is itself the write: one
``UPDATE ... SET used = used + n WHERE used + n <= limit`` whose row count
decides, so two competing transactions write the same row and decide on
what they write, not on what they read. On a multi-primary Galera cluster,
where a row lock taken on one node does not stop another node, the later
one either sees the first one's count or is aborted by it and replayed
(ngnpro.store.db); the count stays exact. The insert that follows the check
does not count its record a second time.

``check`` compares every counter with a count of the records;
``repair`` recomputes them all.
"""
from collections import Counter

from sqlalchemy import and_, event, func, select, update
from sqlalchemy.sql.dml import Delete, Insert, Update

OWNERS = ('customer', 'reseller')


def param_sets(multiparams, params):
    """The parameter dicts a statement ran with, whatever the SQLAlchemy
    version hands to the execute events; [] when its values are inline."""
    if multiparams and isinstance(multiparams[0], (list, tuple)):
        return [dict(p) for p in multiparams[0]]
    if multiparams and all(isinstance(p, dict) for p in multiparams):
        return [dict(p) for p in multiparams]
    return [dict(params)] if params else []


class Tracker:
    """Engine event hooks turning DML on counted tables into counter
    deltas. ``counted``: {credit: (table, {column: value} filter)}."""

    def __init__(self, schema, counted):
        self.schema = schema
        self.usage = schema.credit_usage
        self.by_table = {}
        for credit, (table, where) in counted.items():
            self.by_table.setdefault(table.name, []).append(
                (credit, table, where))

    def install(self, engine):
        event.listen(engine, 'before_execute', self._before)
        event.listen(engine, 'after_execute', self._after)

    # -- capture ---------------------------------------------------------

    def _watched(self, stmt):
        if not isinstance(stmt, (Insert, Update, Delete)):
            return None
        return self.by_table.get(getattr(stmt.table, 'name', None))

    def _before(self, conn, stmt, multiparams, params, execution_options):
        kinds = self._watched(stmt)
        if kinds is None or isinstance(stmt, Insert):
            return
        table = kinds[0][1]
        if isinstance(stmt, Update) and not self._moves(stmt, kinds):
            return
        cols = [table.c.id] + self._columns(table, kinds)
        query = select(*cols)
        if stmt.whereclause is not None:
            query = query.where(stmt.whereclause)
        rows = conn.execute(query).all()
        conn.info.setdefault('ngnpro_usage_before', {})[id(stmt)] = rows

    def _after(self, conn, stmt, multiparams, params, execution_options,
               result):
        kinds = self._watched(stmt)
        if kinds is None:
            return
        table = kinds[0][1]
        names = [c.name for c in self._columns(table, kinds)]
        delta = Counter()
        if isinstance(stmt, Insert):
            for values in self._inserted(conn, stmt, multiparams, params,
                                         result):
                self._count(delta, kinds, dict(zip(names, (
                    values.get(n) for n in names))), +1)
        else:
            before = conn.info.get('ngnpro_usage_before', {}).pop(id(stmt),
                                                                  None)
            if before is None:
                return
            for row in before:
                self._count(delta, kinds, dict(zip(names, row[1:])), -1)
            if isinstance(stmt, Update) and before:
                ids = [r[0] for r in before]
                for row in conn.execute(select(*self._columns(table, kinds))
                                        .where(table.c.id.in_(ids))):
                    self._count(delta, kinds, dict(zip(names, row)), +1)
        self.apply(conn, delta)

    @staticmethod
    def _columns(table, kinds):
        names = list(OWNERS)
        for _, _, where in kinds:
            names += [n for n in where if n not in names]
        return [table.c[n] for n in names]

    @staticmethod
    def _moves(stmt, kinds):
        changed = {getattr(k, 'key', k) for k in stmt._values or ()}
        watched = set(OWNERS)
        for _, _, where in kinds:
            watched.update(where)
        return bool(changed & watched)

    @staticmethod
    def _inserted(conn, stmt, multiparams, params, result):
        """The column values of every row an INSERT wrote."""
        sets = param_sets(multiparams, params)
        if sets:
            return sets
        if not stmt._multi_values:
            # The values as executed (compiling the statement again per
            # row cost more than the INSERT itself).
            sent = result.context.compiled_parameters
            if len(sent) == 1:
                return [sent[0]]
        return [stmt.compile(dialect=conn.dialect).params]

    @staticmethod
    def _count(delta, kinds, values, sign):
        for credit, _, where in kinds:
            if any(values.get(k) != v for k, v in where.items()):
                continue
            for owner in {values.get('customer'), values.get('reseller')}:
                if owner:
                    delta[(int(owner), credit)] += sign

    # -- counters --------------------------------------------------------

    def apply(self, conn, delta):
        u = self.usage
        reserved = conn.info.get('ngnpro_reserved', {})
        for (owner, credit), n in sorted(delta.items()):
            if n > 0 and reserved.get((owner, credit)):
                # Counted already by the credit check of this transaction.
                taken = min(n, reserved[(owner, credit)])
                reserved[(owner, credit)] -= taken
                n -= taken
            if not n:
                continue
            bump = update(u).where(u.c.owner == owner,
                                   u.c.credit == credit).values(
                                       used=u.c.used + n)
            # A missing counter starts from the records, this change
            # included; one another writer created meanwhile gets the delta.
            if conn.execute(bump).rowcount == 0 and \
                    not self._ensure(conn, credit, owner):
                conn.execute(bump)

    def reserve(self, conn, credit, owner, n, limit):
        """Count ``n`` records about to be added for ``owner`` if that
        stays within ``limit``: None when it does, else the current use."""
        u = self.usage
        self.used(conn, credit, owner)
        if conn.execute(update(u).where(
                u.c.owner == owner, u.c.credit == credit,
                u.c.used + n <= limit).values(used=u.c.used + n)).rowcount:
            reserved = conn.info.setdefault('ngnpro_reserved', Counter())
            reserved[(owner, credit)] += n
            return None
        return self.used(conn, credit, owner)

    def used(self, conn, credit, owner):
        """The counter, created from a count of the records if missing."""
        u = self.usage
        value = conn.execute(select(u.c.used).where(
            u.c.owner == owner, u.c.credit == credit)).scalar()
        if value is None:
            self._ensure(conn, credit, owner)
            value = conn.execute(select(u.c.used).where(
                u.c.owner == owner, u.c.credit == credit)).scalar()
        return value

    def _ensure(self, conn, credit, owner):
        """Create the counter from a count of the records unless another
        transaction just did (then nothing): True when this one did."""
        insert = self.usage.insert().values(
            owner=owner, credit=credit,
            used=self.true_count(conn, credit, owner))
        insert = insert.prefix_with('IGNORE', dialect='mysql') \
            .prefix_with('OR IGNORE', dialect='sqlite')
        return conn.execute(insert).rowcount == 1

    def _kind(self, credit):
        for kinds in self.by_table.values():
            for c, table, where in kinds:
                if c == credit:
                    return table, where
        raise KeyError(credit)

    def true_count(self, conn, credit, owner):
        table, where = self._kind(credit)
        cond = [table.c[k] == v for k, v in where.items()]
        return conn.execute(select(func.count()).select_from(table).where(
            and_((table.c.customer == owner) | (table.c.reseller == owner),
                 *cond))).scalar_one()

    def true_counts(self, conn):
        """{(owner, credit): count} over every counted record."""
        out = Counter()
        for kinds in self.by_table.values():
            for credit, table, where in kinds:
                cond = [table.c[k] == v for k, v in where.items()]
                for owner_col in OWNERS:
                    col = table.c[owner_col]
                    q = select(col, func.count()).where(col != 0, *cond)
                    if owner_col == 'reseller':
                        # A reseller's own records count once.
                        q = q.where(table.c.customer != table.c.reseller)
                    for owner, n in conn.execute(q.group_by(col)):
                        out[(owner, credit)] += n
        return out

    def check(self, conn):
        """[(owner, credit, counter, true count)] where they differ."""
        u = self.usage
        stored = {(o, c): n for o, c, n in conn.execute(
            select(u.c.owner, u.c.credit, u.c.used))}
        true = self.true_counts(conn)
        return sorted((o, c, stored.get((o, c), 0), true.get((o, c), 0))
                      for o, c in set(stored) | set(true)
                      if stored.get((o, c), 0) != true.get((o, c), 0))

    def repair(self, conn):
        conn.execute(self.usage.delete())
        rows = [{'owner': o, 'credit': c, 'used': n}
                for (o, c), n in sorted(self.true_counts(conn).items())]
        if rows:
            conn.execute(self.usage.insert(), rows)
        return len(rows)
