"""Builders shared by the tests."""
from ngnpro.config import Config
from ngnpro.dispatch import Dispatcher
from ngnpro.store.db import Store
from ports import all_ports

ADMIN = ('ngnpro-admin', 'S3cr3t-Adm1n')


def make_config(url, **overrides):
    cfg = Config(admin_username=ADMIN[0], admin_password=ADMIN[1],
                 database_url=url)
    for k, v in overrides.items():
        setattr(cfg, k, v)
    return cfg


def make_dispatcher(url, **overrides):
    cfg = make_config(url, **overrides)
    store = Store(url, native_tables=cfg.native_tables)
    store.init()
    return Dispatcher(cfg, store, all_ports())


def seed_fixture_world(url):
    """The customers the golden requests refer to: reseller 17 (active) and
    its customer 23, with those exact ids."""
    from sqlalchemy import insert
    from ngnpro.store.rows import now
    store = Store(url)
    store.init()
    c = store.schema.customers
    with store.engine.begin() as conn:
        conn.execute(insert(c), [
            {'id': 17, 'reseller': 17, 'username': 'reseller17',
             'password': 'r17', 'reseller_active': True,
             'change_date': now()},
            {'id': 23, 'reseller': 17, 'username': 'customer23',
             'password': 'c23', 'reseller_active': False,
             'change_date': now()}])
    store.dispose()


def rows(dispatcher, table, **where):
    """The rows of one schema table (by attribute name), as dicts."""
    from sqlalchemy import select
    t = getattr(dispatcher.store.schema, table)
    stmt = select(t)
    for k, v in where.items():
        stmt = stmt.where(getattr(t.c, k) == v)
    with dispatcher.store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]
