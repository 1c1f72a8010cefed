"""Fixtures: every storage test runs on SQLite and on a real MariaDB that the
test session starts itself (tests/support/mariadb.py)."""
import itertools
import os
import sys

import pytest

from tests.helpers import make_dispatcher

_counter = itertools.count()


def require(available, component, package):
    """Skip loudly when a real component is missing; in CI, where
    .ci/install-deps installs everything, a missing component fails."""
    if available:
        return
    message = ('%s not installed: its tests are SKIPPED. Run .ci/install-deps '
               '(apt-get install %s).' % (component, package))
    sys.stderr.write('\n*** %s ***\n' % message)
    if os.environ.get('CI'):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope='session')
def mariadb():
    from tests.support.mariadb import MariaDB, find_binary
    require(os.environ.get('NGNPRO_TEST_MYSQL_URL') or find_binary(),
            'MariaDB server', 'mariadb-server')
    server = MariaDB()
    server.start()
    yield server
    server.stop()


@pytest.fixture(params=['sqlite', 'mariadb'])
def db_url(request, tmp_path):
    """A fresh, empty database URL on each backend."""
    if request.param == 'sqlite':
        return 'sqlite:///%s' % (tmp_path / 'ngnpro.sqlite')
    server = request.getfixturevalue('mariadb')
    return server.create_database('t%d_%d' % (os.getpid(), next(_counter)))


@pytest.fixture
def dispatcher(db_url):
    d = make_dispatcher(db_url)
    yield d
    d.store.dispose()


@pytest.fixture
def server(db_url, tmp_path):
    """The real server on loopback, on a fresh database of each backend."""
    from tests.support.server import Server
    srv = Server(tmp_path, db_url).start()
    yield srv
    srv.stop()
