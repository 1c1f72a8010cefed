"""The plans MariaDB chooses for getAccounts, at scale.

    .venv/bin/python bench/explain.py [accounts]

Starts a private MariaDB, bulk-loads the accounts as bench/run.py does,
runs the SipPort listing through the real query layer for every
documented order (and a deep offset), captures the SQL it sends and prints
EXPLAIN and the time of each statement.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench import run  # noqa: E402


def queries(accounts):
    deep = accounts - accounts // 10
    flt = {'username': 'user%', 'domain': run.DOMAIN}
    for order in ('username', 'domain', 'changeDate'):
        for start in (0, deep):
            yield '%s ASC, offset %d' % (order, start), {
                'filter': flt, 'orderBy': {'attribute': order,
                                           'direction': 'ASC'},
                'range': {'start': start, 'count': 20}}
    yield 'no filter, default order', {'range': {'start': 0, 'count': 20}}
    yield 'firstName filter', {'filter': {'firstName': 'First1%'},
                               'range': {'start': 0, 'count': 20}}


def main():
    from sqlalchemy import create_engine, event
    from ngnpro.store.query import page
    from ngnpro.store.schema import Schema
    from ports.sip.accounts import _account_listing
    accounts = int(sys.argv[1]) if len(sys.argv) > 1 else 200000
    db = run.BenchMariaDB().start()
    try:
        url = db.create_database('explain')
        s = Schema()
        engine = create_engine(url)
        s.metadata.create_all(engine)
        built, took = run.load_accounts(url, accounts, True, 600)
        print('%d accounts in %.0f s' % (built, took))
        seen = []
        event.listen(engine, 'before_cursor_execute',
                     lambda conn, cur, stmt, params, ctx, many:
                     seen.append((stmt, params)))
        listing = _account_listing(s)
        for name, query in queries(built):
            with engine.connect() as conn:
                seen.clear()
                t0 = time.monotonic()
                total, rows = page(conn, listing, query)
                took = time.monotonic() - t0
                statements = list(seen)
                print('\n== %s: total %d, %d rows, %.1f ms' % (
                    name, total, len(rows), took * 1000))
                for stmt, params in statements:
                    print(stmt.replace('\n', ' '), params)
                    for row in conn.exec_driver_sql('EXPLAIN ' + stmt,
                                                    params):
                        print('   ', tuple(row))
    finally:
        db.stop()


if __name__ == '__main__':
    main()
