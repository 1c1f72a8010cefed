"""A private PowerDNS Authoritative 4.7 (Debian's pdns-server +
pdns-backend-mysql) on a loopback port, reading the gmysql tables of a test
database, for end-to-end tests.

It runs with PowerDNS's default caches (packet and query caches 20 s,
negative answers 60 s, zone cache refreshed every 300 s): what the server
under test must beat with ``pdns_control rediscover`` / ``purge`` through the
control socket in this daemon's own directory (``socket_dir``), or with the
HTTP API (``api_url``, ``api_key``).

PowerDNS's schema (/usr/share/pdns-backend-mysql/schema/schema.mysql.sql)
provides the tables PowerDNS needs besides domains and records
(domainmetadata, cryptokeys, ...): ``load_schema`` creates those that do not
exist yet, leaving the ones ``ngnpro db init`` made.
"""

import atexit
import os
import re
import socket
import subprocess
import tempfile
import time

from .mariadb import PrivateDaemon, _tail, _which, die_with_parent, free_port

SCHEMA = '/usr/share/pdns-backend-mysql/schema/schema.mysql.sql'
API_KEY = 'ngnpro-test-key'


def find_binary():
    return _which('pdns_server')


def find_control():
    return _which('pdns_control')


def backend_available():
    return os.path.exists(SCHEMA) and any(
        os.path.exists(os.path.join(d, 'libgmysqlbackend.so'))
        for d in ('/usr/lib/x86_64-linux-gnu/pdns',
                  '/usr/lib/aarch64-linux-gnu/pdns', '/usr/lib/pdns',
                  '/usr/lib64/pdns'))


def schema_statements(path=SCHEMA):
    """PowerDNS's own CREATE statements, each made IF NOT EXISTS."""
    with open(path) as f:
        text = f.read()
    out = []
    for stmt in (s.strip() for s in text.split(';')):
        if not stmt:
            continue
        stmt = re.sub(r'^CREATE TABLE ', 'CREATE TABLE IF NOT EXISTS ', stmt)
        stmt = re.sub(r'^CREATE (UNIQUE )?INDEX ',
                      lambda m: 'CREATE %sINDEX IF NOT EXISTS '
                      % (m.group(1) or ''), stmt)
        out.append(stmt)
    return out


class PowerDNSError(RuntimeError):
    pass


class PowerDNS(PrivateDaemon):
    def __init__(self, db_host='127.0.0.1', db_port=3306, db_user='ngnpro',
                 db_password='ngnpro', db_name='ngnpro', extra=(),
                 startup_timeout=20.0):
        self.extra = list(extra)     # more pdns_server settings
        self.db = dict(host=db_host, port=db_port, user=db_user,
                       password=db_password, dbname=db_name)
        self.startup_timeout = startup_timeout
        self.proc = None
        self.tmpdir = None
        self.port = self.api_port = None
        self.startup_seconds = None

    @property
    def api_url(self):
        return 'http://127.0.0.1:%d' % self.api_port

    def start(self):
        if self.proc is not None:
            return self
        binary = find_binary()
        if not binary or not backend_available():
            raise PowerDNSError('pdns-server / pdns-backend-mysql not '
                                'installed')
        t0 = time.monotonic()
        self.tmpdir = tempfile.mkdtemp(prefix='ngnpro-pdns-')
        atexit.register(self.stop)
        self.socket_dir = os.path.join(self.tmpdir, 'control')
        os.mkdir(self.socket_dir)
        open(os.path.join(self.tmpdir, 'pdns.conf'), 'w').close()
        self.log = os.path.join(self.tmpdir, 'pdns.log')
        fixed = os.environ.get('NGNPRO_TEST_DNS_PORT')
        for attempt in range(1 if fixed else 3):
            self.port = int(fixed) if fixed else free_port(socket.SOCK_DGRAM)
            self.api_port = free_port()
            with open(self.log, 'a') as log:
                self.proc = subprocess.Popen(
                    [binary, '--config-dir=%s' % self.tmpdir,
                     '--daemon=no', '--guardian=no', '--disable-syslog',
                     '--write-pid=no', '--socket-dir=%s' % self.socket_dir,
                     '--local-address=127.0.0.1',
                     '--local-port=%d' % self.port,
                     '--launch=gmysql',
                     '--gmysql-host=%s' % self.db['host'],
                     '--gmysql-port=%d' % self.db['port'],
                     '--gmysql-user=%s' % self.db['user'],
                     '--gmysql-password=%s' % self.db['password'],
                     '--gmysql-dbname=%s' % self.db['dbname'],
                     '--webserver=yes', '--webserver-address=127.0.0.1',
                     '--webserver-port=%d' % self.api_port,
                     '--webserver-allow-from=127.0.0.1', '--api=yes',
                     '--api-key=%s' % API_KEY,
                     '--receiver-threads=1', '--distributor-threads=1',
                     # No security-status lookups: nothing leaves loopback.
                     '--security-poll-suffix=',
                     '--loglevel=5', *self.extra],
                    stdin=subprocess.DEVNULL, stdout=log,
                    stderr=subprocess.STDOUT, start_new_session=True,
                    preexec_fn=die_with_parent)
            try:
                self._wait_ready()
                break
            except PowerDNSError:
                busy = 'in use' in _tail(self.log, 50)
                self._kill()
                if fixed or not busy or attempt == 2:
                    self._cleanup_dir()
                    raise
        self.startup_seconds = time.monotonic() - t0
        return self

    def _wait_ready(self):
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise PowerDNSError('pdns_server exited with code %s during '
                                    'start-up:\n%s' % (self.proc.returncode,
                                                       _tail(self.log, 40)))
            try:
                self.query('ready.invalid', 'SOA', timeout=0.3)
                if self.control('version').strip():
                    return
            except Exception:
                time.sleep(0.1)
        raise PowerDNSError('pdns_server did not answer on 127.0.0.1:%d '
                            'within %ss:\n%s' % (self.port,
                                                 self.startup_timeout,
                                                 _tail(self.log, 40)))

    def stop(self):
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            self._kill()
        self._cleanup_dir()

    def _kill(self):
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
        self.proc = None

    def log_tail(self, lines=40):
        return _tail(self.log, lines) if self.tmpdir else ''

    # -- clients -----------------------------------------------------------

    def query(self, name, rdtype, timeout=2.0):
        """One UDP query -> the dnspython response message."""
        import dns.message
        import dns.query
        q = dns.message.make_query(name, rdtype)
        return dns.query.udp(q, '127.0.0.1', port=self.port, timeout=timeout)

    def answer(self, name, rdtype):
        """(rcode text, sorted answer rdata texts, ttl or None)."""
        import dns.rcode
        import dns.rdatatype
        r = self.query(name, rdtype)
        wanted = dns.rdatatype.from_text(rdtype)
        sets = [s for s in r.answer if s.rdtype == wanted]
        return (dns.rcode.to_text(r.rcode()),
                sorted(rd.to_text() for s in sets for rd in s),
                sets[0].ttl if sets else None)

    def control(self, *args, timeout=10):
        out = subprocess.run([find_control(), '--socket-dir=%s'
                              % self.socket_dir, *args], capture_output=True,
                             text=True, timeout=timeout)
        if out.returncode != 0:
            raise PowerDNSError('pdns_control %s: %s%s' % (
                ' '.join(args), out.stdout, out.stderr))
        return out.stdout
