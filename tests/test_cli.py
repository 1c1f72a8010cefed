"""The command line an operator meets first: a mistake in the configuration
or an unusable database URL is one clear line and a non-zero exit, never a
traceback; a server whose database is down starts and says so."""
import subprocess
import sys

import pytest
from lxml import etree

from tests.soapcall import admin, envelope
from tests.support.mariadb import free_port


def ngnpro(tmp_path, config, *args, timeout=30):
    path = tmp_path / 'config.ini'
    path.write_text(config)
    return subprocess.run([sys.executable, '-m', 'ngnpro.cli', '-c',
                           str(path)] + list(args), capture_output=True,
                          text=True, timeout=timeout, cwd=tmp_path)


@pytest.mark.parametrize('config,message', [
    ('[admin]\npassword = x\n[server]\nport = abc\n',
     "[server] port must be a whole number, not 'abc'"),
    ('[admin]\npassword = x\n[limits]\nmax_page_size = 0\n',
     '[limits] max_page_size must be at least 1'),
    ('[admin]\npassword = x\n[sip]\nstore_clear_text_passwords = maybe\n',
     "[sip] store_clear_text_passwords must be yes or no, not 'maybe'"),
    ('no section\n', 'File contains no section headers'),
    ('[admin]\nusername = admin\n', '[admin] password must be set'),
    ('[admin]\npassword = x\n[database]\nurl = nonsense://x\n',
     "database nonsense://x: Can't load plugin"),
    ('[admin]\npassword = x\n[server]\nport = 9200\n[voicemail]\n'
     'listen_port = 9200\n',
     '[voicemail] listen_port must differ from [server] port'),
    ('[admin]\npassword = x\n[voicemail]\nfirst_mailbox = -1\n',
     '[voicemail] first_mailbox must be at least 0'),
])
def test_configuration_mistakes_are_one_clear_line(tmp_path, config, message):
    done = ngnpro(tmp_path, config, 'db', 'init')
    assert done.returncode != 0
    assert message in done.stderr
    assert 'Traceback' not in done.stderr


def test_unreachable_database_is_named_without_its_password(tmp_path):
    port = free_port()    # nothing listens there
    done = ngnpro(tmp_path, '[admin]\npassword = x\n[database]\nurl = '
                  'mysql+pymysql://u:Secret9@127.0.0.1:%d/x\n' % port,
                  'db', 'init')
    assert done.returncode != 0 and 'Traceback' not in done.stderr
    assert "database mysql+pymysql://u:***@127.0.0.1:%d/x: " % port \
        in done.stderr
    assert "Can't connect to MySQL server" in done.stderr
    assert 'Secret9' not in done.stderr


def test_server_starts_without_its_database_and_says_so(tmp_path):
    from tests.support.server import Server
    db_port = free_port()
    server = Server(tmp_path, 'mysql+pymysql://u:p@127.0.0.1:%d/x' % db_port)
    try:
        server.start(init=False)
        status, _, body = server.post(envelope(
            'Customer', 'getCustomers', [('query', {'filter': {}})], admin()))
    finally:
        server.stop()
    assert status == 500
    fault = etree.fromstring(body).find('.//detail/exception')
    assert fault.findtext('errorcode') == '108'   # database unavailable
    log = open(server.log).read()
    assert 'is not reachable yet' in log and 'fault 108' in log
