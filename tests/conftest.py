"""Fixtures: every storage test runs on SQLite and on a real MariaDB that the
test session starts itself (tests/support/mariadb.py)."""
import itertools
import os
import sys

import pytest

from tests.helpers import make_dispatcher

_counter = itertools.count()


@pytest.fixture(scope='session')
def mariadb():
    from tests.support.mariadb import MariaDB, find_binary
    if not os.environ.get('NGNPRO_TEST_MYSQL_URL') and find_binary() is None:
        message = ('MariaDB server not installed: MariaDB tests SKIPPED. '
                   'Run .ci/install-deps (apt-get install mariadb-server).')
        sys.stderr.write('\n*** %s ***\n' % message)
        pytest.skip(message)
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
