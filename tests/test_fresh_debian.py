"""The README's first command, verbatim, on a fresh Debian 12 as root (no
sudo there) and as a user who may sudo: a minimal Debian 12 chroot made by
debootstrap, the clone copied in, the command run in it, and the server it
starts answers its health page and a SOAP call.

Slow (Debian packages and PyPI are downloaded): it runs under CI=true or
NGNPRO_TEST_SLOW=1. The debootstrapped system is kept as a tarball in
NGNPRO_TEST_CACHE_DIR (default /var/cache/ngnpro-tests), so that it is
made once; NGNPRO_TEST_DEBIAN_MIRROR chooses the mirror.

The one difference from a person's machine is the environment: CONFIG
points `make run` at a copy of etc/config.ini on a free port (9200 may be
taken where the tests run), and the host's CA bundle is handed to pip
(PIP_CERT) for sites whose HTTPS goes through a proxy with its own CA.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from tests.conftest import require
from tests.support.mariadb import free_port

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.environ.get('NGNPRO_TEST_CACHE_DIR', '/var/cache/ngnpro-tests')
MIRROR = os.environ.get('NGNPRO_TEST_DEBIAN_MIRROR',
                        'http://deb.debian.org/debian')
TARBALL = os.path.join(CACHE, 'debian12-minbase.tar.gz')
HOST_CA = '/etc/ssl/certs/ca-certificates.crt'

pytestmark = pytest.mark.slow


def readme_first_command():
    """The first line of the README's first shell block, without its
    comment."""
    with open(os.path.join(REPO, 'README.md')) as f:
        block = re.search(r'```sh\n(.*?)```', f.read(), re.S).group(1)
    return block.splitlines()[0].split('   #')[0].strip()


def test_readme_first_command_is_root_and_sudo_proof():
    line = readme_first_command()
    # As root `sudo` may be missing: it is only used when there is one.
    assert not re.search(r'(^|[;&|]\s*)sudo ', line), line
    assert 'apt-get update' in line and line.endswith('make run'), line


def test_make_test_labels_its_two_runs():
    out = subprocess.run(['make', '-n', 'test'], cwd=REPO, text=True,
                         capture_output=True, check=True).stdout
    lines = out.splitlines()
    first = [i for i, l in enumerate(lines) if 'run 1 of 2' in l]
    second = [i for i, l in enumerate(lines) if 'run 2 of 2' in l]
    pytests = [i for i, l in enumerate(lines) if '-m pytest' in l]
    assert len(first) == len(second) == 1 and len(pytests) == 2, out
    assert first[0] < pytests[0] < second[0] < pytests[1], out
    assert '.venv-debian12' in lines[second[0]], out


def _debian12():
    """The cached tarball of a minimal Debian 12, made on first use."""
    if os.path.exists(TARBALL):
        return TARBALL
    os.makedirs(CACHE, exist_ok=True)
    work = TARBALL + '.d'
    shutil.rmtree(work, ignore_errors=True)
    run = subprocess.run(['debootstrap', '--variant=minbase', 'bookworm',
                          work, MIRROR], capture_output=True, text=True,
                         timeout=1800)
    if run.returncode != 0:
        shutil.rmtree(work, ignore_errors=True)
        pytest.fail('debootstrap bookworm from %s failed:\n%s' % (
            MIRROR, (run.stdout + run.stderr)[-3000:]))
    subprocess.run(['tar', '-C', work, '-czf', TARBALL + '.part', '.'],
                   check=True)
    os.rename(TARBALL + '.part', TARBALL)
    shutil.rmtree(work, ignore_errors=True)
    return TARBALL


def _copy_clone(dest):
    """The clone's files (committed and new, not ignored), as git knows
    them: no venv, database or build output of this machine."""
    files = subprocess.run(['git', 'ls-files', '-z', '-c', '-o',
                            '--exclude-standard'], cwd=REPO, check=True,
                           capture_output=True).stdout
    os.makedirs(dest)
    pack = subprocess.run(['tar', '-C', REPO, '--null', '-T', '-', '-cf',
                           '-'], input=files, capture_output=True, check=True)
    subprocess.run(['tar', '-C', dest, '-xf', '-'], input=pack.stdout,
                   check=True)


def _chroot_pids(root):
    """The processes running in the chroot ``root``."""
    out = []
    for pid in os.listdir('/proc'):
        try:
            if pid.isdigit() and os.readlink('/proc/%s/root' % pid) == root:
                out.append(int(pid))
        except OSError:
            pass
    return out


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


@pytest.fixture
def chroot(tmp_path):
    if not (os.environ.get('CI') or os.environ.get('NGNPRO_TEST_SLOW')):
        pytest.skip('slow: downloads Debian 12 and PyPI packages; runs '
                    'under CI=true or NGNPRO_TEST_SLOW=1')
    require(shutil.which('debootstrap'), 'debootstrap', 'debootstrap')
    if os.geteuid() != 0:
        pytest.skip('a chroot needs root')
    root = str(tmp_path / 'debian12')
    os.makedirs(root)
    subprocess.run(['tar', '-C', root, '-xzf', _debian12()], check=True)
    shutil.copy('/etc/resolv.conf', os.path.join(root, 'etc/resolv.conf'))
    proc = os.path.join(root, 'proc')
    subprocess.run(['mount', '-t', 'proc', 'proc', proc], check=True)
    try:
        yield root
    finally:
        subprocess.run(['umount', '-l', proc])
    assert not os.path.ismount(proc)
    # About 500 MB each: not left for pytest's three kept runs.
    shutil.rmtree(root, ignore_errors=True)


USER = 'newcomer'


def _as_user_with_sudo(root):
    """A user who may sudo (the state of a fresh install whose installer
    was given a user password and no root one)."""
    for step in (['apt-get', 'update', '-qq'],
                 ['apt-get', 'install', '-y', '-qq', 'sudo'],
                 ['useradd', '-m', '-s', '/bin/sh', USER]):
        subprocess.run(['chroot', root] + step, check=True,
                       capture_output=True, timeout=600,
                       env={'PATH': '/usr/sbin:/usr/bin:/sbin:/bin',
                            'DEBIAN_FRONTEND': 'noninteractive'})
    with open(root + '/etc/sudoers.d/' + USER, 'w') as f:
        f.write('%s ALL=(ALL) NOPASSWD: ALL\n' % USER)
    os.chmod(root + '/etc/sudoers.d/' + USER, 0o440)
    pwd = open(root + '/etc/passwd').read()
    uid = re.search(r'(?m)^%s:x:(\d+):(\d+):' % USER, pwd).groups()
    return '/home/' + USER, ['--userspec=%s:%s' % uid]


@pytest.mark.parametrize('who', ['root', 'user-with-sudo'])
def test_readme_first_command_on_fresh_debian12(chroot, tmp_path, who):
    root = chroot
    assert not os.path.exists(os.path.join(root, 'usr/bin/sudo'))
    assert not os.path.exists(os.path.join(root, 'usr/bin/python3'))
    home, userspec = '/root', []
    if who != 'root':
        home, userspec = _as_user_with_sudo(root)
    clone = home + '/ngnpro'
    _copy_clone(root + clone)
    port = free_port()
    with open(root + clone + '/etc/config.ini') as f:
        config = f.read()
    config = re.sub(r'(?m)^port = 9200$', 'port = %d' % port, config)
    assert 'port = %d' % port in config
    with open(root + home + '/test-config.ini', 'w') as f:
        f.write(config)
    env = {'PATH': '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:'
           '/sbin:/bin', 'HOME': home, 'LANG': 'C.UTF-8',
           'DEBIAN_FRONTEND': 'noninteractive',
           'CONFIG': home + '/test-config.ini'}
    if os.path.exists(HOST_CA):
        shutil.copy(HOST_CA, root + home + '/host-ca.crt')
        env['PIP_CERT'] = home + '/host-ca.crt'
    if userspec:
        subprocess.run(['chroot', root, 'chown', '-R', USER + ':', home],
                       check=True)
    command = readme_first_command()
    log_path = str(tmp_path / 'readme-command.log')
    log = open(log_path, 'wb')
    started = time.monotonic()
    run = subprocess.Popen(
        ['chroot'] + userspec + [root, '/bin/sh', '-c',
                                 'cd %s && %s' % (clone, command)],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = 'http://127.0.0.1:%d/ngnpro/' % port
    try:
        status = None
        while time.monotonic() - started < 1500:
            if run.poll() is not None:
                break
            try:
                status, body = _get(url + 'health')
                break
            except OSError:
                time.sleep(2)

        def tail():
            log.flush()
            return open(log_path, errors='replace').read()[-4000:]
        assert status == 200, 'exit %s\n%s' % (run.poll(), tail())
        seconds = time.monotonic() - started
        health = json.loads(body)
        assert health['database']['ok'] is True, health
        assert health['version'] != 'unknown', health
        from tests.soapcall import envelope
        auth = {'username': 'admin', 'password': 'changeme', 'admin': True}
        req = urllib.request.Request(
            url, data=envelope('Network', 'getStatus', [], auth),
            headers={'Content-Type': 'text/xml; charset=utf-8',
                     'SOAPAction': '""'})
        with urllib.request.urlopen(req, timeout=10) as resp:
            answer = resp.read().decode()
        assert 'provisioning_server' in answer and \
            health['version'] in answer, answer
        print('README command on a fresh Debian 12: serving after %.0f s'
              % seconds)
        # The embedded database was made where the README says.
        assert os.path.exists(root + clone + '/var/ngnpro.sqlite')
    finally:
        try:
            os.killpg(run.pid, signal.SIGTERM)
            run.wait(20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(run.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            run.wait()
        # make and the shell are gone; the server drains, then exits.
        deadline = time.monotonic() + 20
        while _chroot_pids(root) and time.monotonic() < deadline:
            time.sleep(0.2)
        for pid in _chroot_pids(root):
            os.kill(pid, signal.SIGKILL)
        log.close()
    # SIGTERM to the group, as Ctrl-C on `make run` (make passes it on to
    # the server too): one clean stop.
    text = open(log_path, errors='replace').read()
    assert 'NGNPro server stopped' in text and 'Traceback' not in text, \
        text[-3000:]
