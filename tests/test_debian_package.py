"""The Debian package, as an operator gets it: built from this tree with
dpkg-buildpackage, unpacked, and run by Debian 12's own python3 with Debian's
python3-spyne, -twisted, -sqlalchemy, -pymysql and -lxml (not the test
virtualenv), on SQLite and MariaDB."""
import os
import shutil
import subprocess
import urllib.request

import pytest
from lxml import etree

from ngnpro.store.db import Store
from tests.conftest import require
from tests.soapcall import admin, decode, envelope
from tests.support.server import Server

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SYSTEM_PYTHON = '/usr/bin/python3'
DEBIAN_LIBS = 'python3-spyne python3-twisted python3-sqlalchemy ' \
    'python3-pymysql python3-lxml'
SYSTEM_DIST = '/usr/lib/python3/dist-packages/'


def _system_env(extra_path=None):
    env = {k: v for k, v in os.environ.items()
           if k not in ('PYTHONPATH', 'PYTHONHOME', 'VIRTUAL_ENV')}
    # Debian's tools and python3 first, whatever else is on PATH here.
    env['PATH'] = '/usr/bin:/bin:/usr/sbin:/sbin:' + env.get('PATH', '')
    env['PYTHONNOUSERSITE'] = '1'
    if extra_path:
        env['PYTHONPATH'] = extra_path
    return env


@pytest.fixture(scope='module')
def package(tmp_path_factory):
    require(shutil.which('dpkg-buildpackage') and shutil.which('dh')
            and shutil.which('pybuild'), 'Debian packaging tools',
            'dpkg-dev debhelper dh-python python3-all python3-setuptools')
    libs = subprocess.run(
        [SYSTEM_PYTHON, '-c', 'import spyne, twisted, sqlalchemy, pymysql'],
        env=_system_env(), capture_output=True) \
        if os.path.exists(SYSTEM_PYTHON) else None
    require(libs is not None and libs.returncode == 0,
            "Debian's Python libraries", DEBIAN_LIBS)
    work = tmp_path_factory.mktemp('deb')
    src = work / 'ngnpro-src'
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
        '.git', '.venv*', '__pycache__', '*.egg-info', 'var', 'build', 'dist',
        '.pybuild', '.pytest_cache'))
    built = subprocess.run(['dpkg-buildpackage', '-us', '-uc', '-b'],
                           cwd=src, env=_system_env(), capture_output=True,
                           text=True, timeout=300)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    (deb,) = work.glob('ngnpro_*_all.deb')
    root = work / 'root'
    subprocess.run(['dpkg-deb', '-x', str(deb), str(root)], check=True)
    return deb, root


def _deb_info(deb, *args):
    return subprocess.run(['dpkg-deb'] + list(args) + [str(deb)], check=True,
                          capture_output=True, text=True).stdout


def test_package_holds_the_server_its_wsdl_and_config(package):
    deb, root = package
    files = {line.split()[-1].lstrip('.') for line in
             _deb_info(deb, '-c').splitlines() if not line.endswith('/')}
    for name in ('/usr/bin/ngnpro', '/etc/ngnpro/config.ini',
                 '/lib/systemd/system/ngnpro.service'):
        assert name in files
    for name in os.listdir(os.path.join(ROOT, 'wsdl')):
        assert '/usr/share/ngnpro/wsdl/' + name in files
        with open(os.path.join(ROOT, 'wsdl', name), 'rb') as f:
            assert (root / ('usr/share/ngnpro/wsdl/' + name)).read_bytes() \
                == f.read()
    # The API reference the server serves at /ngnpro/api/.
    for name in os.listdir(os.path.join(ROOT, 'docs', 'api')):
        assert '/usr/share/ngnpro/api/' + name in files
    for package_dir in ('ngnpro', 'ports'):
        for dirpath, _, names in os.walk(os.path.join(ROOT, package_dir)):
            rel = os.path.relpath(dirpath, ROOT)
            for name in names:
                if name.endswith('.py'):
                    assert '%s%s/%s' % (SYSTEM_DIST, rel, name) in files
    assert not any(f.startswith(SYSTEM_DIST + 'tests') for f in files)
    depends = _deb_info(deb, '-f').split('Depends:')[1].splitlines()[0]
    for lib in DEBIAN_LIBS.split():
        assert lib in depends
    # The operator's edited config survives upgrades.
    conffiles = subprocess.run(['dpkg-deb', '-I', str(deb), 'conffiles'],
                               capture_output=True, text=True).stdout
    assert '/etc/ngnpro/config.ini' in conffiles.split()


def test_package_runs_as_its_own_user_and_hides_its_passwords(package):
    """The configuration (admin and database passwords) is not
    world-readable; the service runs as the ngnpro user with room for many
    connections."""
    deb, root = package
    modes = {line.split()[-1].lstrip('.'): line.split()[0]
             for line in _deb_info(deb, '-c').splitlines()}
    assert modes['/etc/ngnpro/config.ini'] == '-rw-r-----'
    unit = (root / 'lib/systemd/system/ngnpro.service').read_text()
    for line in ('User=ngnpro', 'Group=ngnpro', 'LimitNOFILE=65536',
                 'NoNewPrivileges=yes'):
        assert line in unit.splitlines()
    control = root.parent / 'control'
    subprocess.run(['dpkg-deb', '-e', str(deb), str(control)], check=True)
    postinst = (control / 'postinst').read_text()
    assert 'adduser --system --group' in postinst
    assert 'chown root:ngnpro /etc/ngnpro/config.ini' in postinst
    assert 'chmod 0640 /etc/ngnpro/config.ini' in postinst
    assert 'adduser' in _deb_info(deb, '-f').split('Depends:')[1]
    # A package upgrade upgrades the schema, as the service user.
    assert 'if [ -n "$2" ]' in postinst
    assert 'runuser -u ngnpro -- /usr/bin/ngnpro -c /etc/ngnpro/config.ini' \
        in postinst and 'db upgrade' in postinst
    depends = _deb_info(deb, '-f').split('Depends:')[1].splitlines()[0]
    assert 'python3-alembic' in depends and 'python3-tqdm' in depends
    assert 'db upgrade' in unit


def test_packaged_upgrade_runs_on_debian_alembic(package, db_url, tmp_path):
    """A release 0.1.0 database upgraded by the packaged command on
    Debian's own Alembic and SQLAlchemy."""
    from ngnpro.store import migrations
    from tests.test_migrations import at_revision, fill_release_0_1_0
    _, root = package
    env = _system_env(str(root / 'usr/lib/python3/dist-packages'))
    at_revision(db_url, '0001', stamped=False).dispose()
    fill_release_0_1_0(db_url)
    config = tmp_path / 'config.ini'
    config.write_text('[admin]\npassword = x\n[database]\nurl = %s\n'
                      % db_url)
    done = subprocess.run(
        [SYSTEM_PYTHON, str(root / 'usr/bin/ngnpro'), '-c', str(config),
         'db', 'upgrade'], env=env, capture_output=True, text=True,
        cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert 'upgraded from schema revision 0001 (release 0.1.0)' in \
        done.stdout
    where = subprocess.run(
        [SYSTEM_PYTHON, '-c', 'import alembic; print(alembic.__file__)'],
        env=env, capture_output=True, text=True, check=True).stdout
    assert where.startswith(SYSTEM_DIST)
    store = Store(db_url)
    try:
        assert migrations.state(store).kind == migrations.CURRENT
    finally:
        store.dispose()


def test_packaged_server_runs_on_debian_libraries(package, db_url, tmp_path):
    _, root = package
    site = str(root / 'usr/lib/python3/dist-packages')
    env = _system_env(site)
    where = subprocess.run(
        [SYSTEM_PYTHON, '-c', 'import ngnpro, ports, spyne, twisted; '
         'print(ngnpro.__file__, ports.__file__, spyne.__file__, '
         'twisted.__file__)'], env=env, capture_output=True, text=True,
        check=True, cwd=tmp_path).stdout.split()
    assert where[0].startswith(site) and where[1].startswith(site)
    assert where[2].startswith(SYSTEM_DIST) and where[3].startswith(SYSTEM_DIST)

    server = Server(tmp_path, db_url, env=env,
                    command=[SYSTEM_PYTHON, str(root / 'usr/bin/ngnpro')],
                    server_extra='wsdl_dir = %s'
                    % (root / 'usr/share/ngnpro/wsdl')).start()
    try:
        status, _, body = server.post(envelope('Customer', 'addAccount', [
            ('account', {'username': 'deb', 'password': 'pw',
                         'firstName': 'Debian', 'resellerActive': True,
                         'properties': [{'name': 'sip_credit', 'value': '3',
                                         'category': 'credit',
                                         'permission': 'admin'}]})],
            admin()))
        assert status == 200, body
        created = decode(etree.fromstring(body)[0][0][0])
        assert created['username'] == 'deb' and created['firstName'] == 'Debian'
        assert created['resellerActive'] is True
        assert created['properties'][0]['value'] == '3'
        status, _, body = server.post(envelope('Customer', 'getCustomers', [
            ('query', {'filter': {'username': 'de%'}})], admin()))
        assert status == 200, body
        found = decode(etree.fromstring(body)[0][0][0])
        assert found['total'] == 1
        assert found['accounts'][0]['id'] == created['id']
        with urllib.request.urlopen(server.url + 'wsdl', timeout=10) as resp:
            wsdl = etree.fromstring(resp.read())
        service = wsdl.find('{http://schemas.xmlsoap.org/wsdl/}service')
        assert service.get('name') == 'NGNPro'
        assert ':%d/' % server.port in etree.tostring(service).decode()
        with urllib.request.urlopen(server.url + 'api/SipPort.md',
                                    timeout=10) as resp:
            assert resp.read().startswith(b'# SipPort\n')
    finally:
        server.stop()
    assert 'CustomerPort.addAccount ngnpro-admin' in open(server.log).read()
