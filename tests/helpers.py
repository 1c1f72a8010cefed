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
    store = Store(url, kamailio_tables=cfg.kamailio_tables)
    store.init()
    return Dispatcher(cfg, store, all_ports())
