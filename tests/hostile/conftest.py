"""The hostile suite: the running server on loopback, on both backends, tried
as an attacker would. Every case asserts the fault it gets (or that the
connection is refused) and that no table changed.

One server per backend for the whole session, on a database seeded with a
small world (tests.hostile.world); cases that need a server of their own
(other limits, a broken database) start it themselves.
"""
import itertools
import os

import pytest
import requests
from lxml import etree
from sqlalchemy import select

from ngnpro.store.db import Store
from tests.soapcall import envelope
from tests.support.server import Server

_count = itertools.count()


def snapshot(store):
    """Every row of every table, in a comparable form."""
    out = {}
    with store.engine.connect() as conn:
        for table in store.schema.metadata.sorted_tables:
            rows = conn.execute(select(table)).all()
            out[table.name] = sorted(tuple(map(repr, r)) for r in rows)
    return out


class Live:
    """A running server with its database, and a keep-alive HTTP client."""

    def __init__(self, server, url):
        self.server = server
        self.url = url
        self.store = Store(url)
        self.http = requests.Session()

    def post(self, body, headers=None):
        h = {'Content-Type': 'text/xml; charset=UTF-8', 'SOAPAction': '""'}
        h.update(headers or {})
        r = self.http.post(self.server.url, data=body, headers=h, timeout=20)
        return r.status_code, r.content

    def call(self, port, operation, args, auth):
        """-> (errorcode or 0, decoded answer element or fault text)."""
        status, body = self.post(envelope(port, operation, args, auth))
        return parse_answer(status, body)

    def snapshot(self):
        return snapshot(self.store)


def parse_answer(status, body):
    root = etree.fromstring(body)
    fault = root.find('.//{http://schemas.xmlsoap.org/soap/envelope/}Fault')
    if fault is not None:
        assert status == 500, body
        return (int(fault.findtext('detail/exception/errorcode')),
                fault.findtext('detail/exception/errorstring'))
    assert status == 200, body
    return 0, root


def database_url(request, tmp_path_factory, name):
    """A fresh database of the requested backend."""
    if request.param == 'sqlite':
        path = tmp_path_factory.mktemp(name) / 'ngnpro.sqlite'
        return 'sqlite:///%s' % path
    mariadb = request.getfixturevalue('mariadb')
    return mariadb.create_database('%s_%d_%d' % (name, os.getpid(),
                                                 next(_count)))


@pytest.fixture(scope='session', params=['sqlite', 'mariadb'])
def live(request, tmp_path_factory):
    from tests.hostile.world import seed
    url = database_url(request, tmp_path_factory, 'hostile')
    workdir = tmp_path_factory.mktemp('hostile-server')
    srv = Server(workdir, url).start()
    live = Live(srv, url)
    live.world = seed(live)
    yield live
    live.store.dispose()
    srv.stop()


@pytest.fixture
def unchanged(live):
    """Asserts, after the test, that no table of the live server changed."""
    before = live.snapshot()
    yield live
    assert live.snapshot() == before
