"""A private, throw-away MariaDB server for the test suite.

Usage::

    db = MariaDB()
    db.start()
    url = db.create_database("ngnpro_test")   # SQLAlchemy URL
    ...
    db.stop()

If NGNPRO_TEST_MYSQL_URL is set (e.g. ``mysql+pymysql://root:pw@127.0.0.1:3306/``)
no server is started and databases are created on that server instead.
"""

import atexit
import ctypes
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from urllib.parse import quote, unquote, urlsplit

import pymysql

USER = "ngnpro"
PASSWORD = "ngnpro"

_SBIN_DIRS = ["/usr/sbin", "/usr/libexec", "/usr/local/sbin", "/usr/local/libexec"]


def _which(*names):
    # /usr/sbin is often missing from a non-root PATH, so look there too.
    path = os.pathsep.join([os.environ.get("PATH", "")] + _SBIN_DIRS)
    for name in names:
        found = shutil.which(name, path=path)
        if found:
            return found
    return None


def find_binary():
    """Path of the MariaDB server binary, or None if none is installed."""
    return _which("mariadbd", "mysqld")


def _find_install_db():
    return _which("mariadb-install-db", "mysql_install_db")


def data_root():
    """Where test databases live: NGNPRO_TEST_DATA_DIR, else the RAM-backed
    /dev/shm when there is one (creating the schema of every test's fresh
    database is several times faster without a disk under it)."""
    root = os.environ.get("NGNPRO_TEST_DATA_DIR")
    if root:
        return root
    shm = "/dev/shm"
    if os.path.isdir(shm) and os.access(shm, os.W_OK):
        return shm
    return None


def free_port(kind=socket.SOCK_STREAM):
    """A port that was free a moment ago on 127.0.0.1 (racy, but good enough
    on a test box; callers retry when the bind fails)."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def die_with_parent():
    """preexec_fn: have the daemon get SIGTERM if the test process is killed
    (e.g. a CI timeout), so it cannot outlive the run (Linux only)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _tail(path, lines=30):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError as e:
        return f"<cannot read {path}: {e}>"


class MariaDBError(RuntimeError):
    pass


class PrivateDaemon:
    """A daemon a test starts in its own temporary directory: a context
    manager whose stop() also removes that directory."""
    tmpdir = None

    def _cleanup_dir(self):
        if self.tmpdir:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class MariaDB(PrivateDaemon):
    def __init__(self, startup_timeout=30.0):
        self.startup_timeout = startup_timeout
        self.tmpdir = None
        self.proc = None
        self.startup_seconds = None  # measured, for reporting
        self.external = os.environ.get("NGNPRO_TEST_MYSQL_URL") or None
        if self.external:
            u = urlsplit(self.external)
            self.host = u.hostname or "127.0.0.1"
            self.port = u.port or 3306
            self.user = unquote(u.username or "root")
            self.password = unquote(u.password or "")
        else:
            self.host = "127.0.0.1"
            self.port = None
            self.user = USER
            self.password = PASSWORD

    # -- lifecycle ---------------------------------------------------------

    def start(self):
        if self.external or self.proc is not None:
            return self
        binary = find_binary()
        install_db = _find_install_db()
        if not binary or not install_db:
            raise MariaDBError("MariaDB server not installed (apt-get install mariadb-server)")
        t0 = time.monotonic()
        self.tmpdir = tempfile.mkdtemp(prefix="ngnpro-mariadb-", dir=data_root())
        atexit.register(self.stop)  # safety net if a fixture finaliser never runs
        self.datadir = os.path.join(self.tmpdir, "data")
        self.socket = os.path.join(self.tmpdir, "mysqld.sock")
        self.errlog = os.path.join(self.tmpdir, "error.log")
        as_root = ["--user=root"] if os.geteuid() == 0 else []
        # Small InnoDB files and no durability: a test server must start fast
        # and nobody cares about its data after a crash.
        tuning = [
            "--innodb-buffer-pool-size=16M",
            "--innodb-log-file-size=8M",
            "--innodb-log-buffer-size=2M",
            "--innodb-flush-log-at-trx-commit=0",
            "--innodb-doublewrite=0",
            "--skip-name-resolve",
        ]
        self.initialize(install_db, as_root, tuning)

        fixed_port = os.environ.get("NGNPRO_TEST_MYSQL_PORT")
        for attempt in range(1 if fixed_port else 3):
            self.port = int(fixed_port) if fixed_port else free_port()
            self.spawn_args = (binary, as_root, tuning)
            self._spawn(binary, as_root, tuning)
            try:
                self._wait_ready()
                break
            except MariaDBError:
                busy = "already in use" in _tail(self.errlog, 50)
                self._kill()
                if fixed_port or not busy or attempt == 2:
                    self._cleanup_dir()
                    raise
        if self.create_users:
            self._admin(*self.user_statements())
        self.startup_seconds = time.monotonic() - t0
        return self

    create_users = True
    defaults_file = None

    def initialize(self, install_db, as_root, tuning):
        """A fresh data directory with the system tables."""
        # --no-defaults must come first: never pick up /etc/mysql/my.cnf.
        out = subprocess.run(
            [install_db, "--no-defaults", f"--datadir={self.datadir}",
             "--auth-root-authentication-method=normal", "--skip-test-db",
             *as_root, *tuning],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
        if out.returncode != 0:
            raise MariaDBError(f"{install_db} failed:\n{out.stdout[-3000:]}")

    def _defaults(self):
        # Must be the first option: never pick up /etc/mysql/my.cnf.
        return ('--defaults-file=%s' % self.defaults_file
                if self.defaults_file else '--no-defaults')

    def extra_args(self):
        """More server options (a Galera node adds its wsrep settings)."""
        return []

    @staticmethod
    def user_statements():
        return (
            f"CREATE USER '{USER}'@'127.0.0.1' IDENTIFIED BY '{PASSWORD}'",
            f"CREATE USER '{USER}'@'localhost' IDENTIFIED BY '{PASSWORD}'",
            f"GRANT ALL PRIVILEGES ON *.* TO '{USER}'@'127.0.0.1' WITH GRANT OPTION",
            f"GRANT ALL PRIVILEGES ON *.* TO '{USER}'@'localhost' WITH GRANT OPTION",
        )

    def _spawn(self, binary, as_root, tuning):
        with open(self.errlog, "a") as log:
            self.proc = subprocess.Popen(
                [binary, self._defaults(), *as_root, *tuning,
                 f"--datadir={self.datadir}",
                 f"--socket={self.socket}",
                 f"--pid-file={os.path.join(self.tmpdir, 'mysqld.pid')}",
                 f"--log-error={self.errlog}",
                 f"--tmpdir={self.tmpdir}",
                 "--bind-address=127.0.0.1", f"--port={self.port}",
                 "--skip-networking=0", "--skip-log-bin",
                 "--performance-schema=0", "--max-connections=200",
                 "--character-set-server=utf8mb4",
                 "--collation-server=utf8mb4_general_ci", *self.extra_args()],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                preexec_fn=die_with_parent)

    def _wait_ready(self):
        deadline = time.monotonic() + self.startup_timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise MariaDBError(
                    f"mariadbd exited with code {self.proc.returncode} during start-up;"
                    f" tail of {self.errlog}:\n{_tail(self.errlog)}")
            try:
                # Our private unix socket, not TCP: the port might be answered
                # by someone else's server. mariadbd creates the socket after
                # binding the TCP port, so this also proves TCP is ready.
                pymysql.connect(unix_socket=self.socket, user="root", password="",
                                connect_timeout=2, read_timeout=5).close()
                return
            except pymysql.err.OperationalError as e:
                last = e
            time.sleep(0.05)
        raise MariaDBError(
            f"mariadbd did not accept connections on 127.0.0.1:{self.port} within"
            f" {self.startup_timeout}s (last error: {last}); tail of {self.errlog}:\n"
            f"{_tail(self.errlog)}")

    def stop(self):
        if self.proc is not None:
            if self.proc.poll() is None:
                try:
                    self._admin("SHUTDOWN")
                except pymysql.err.Error:
                    self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._kill()
            self.proc = None
        self._cleanup_dir()

    def _kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        self.proc = None

    # -- helpers -----------------------------------------------------------

    def connect(self, database=None, **kw):
        """A PyMySQL connection as the test user (autocommit)."""
        return pymysql.connect(host=self.host, port=self.port, user=self.user,
                               password=self.password, database=database,
                               charset="utf8mb4", autocommit=True, **kw)

    def _admin(self, *statements):
        if self.external:
            conn = self.connect()
        else:
            conn = pymysql.connect(unix_socket=self.socket, user="root", password="",
                                   autocommit=True)
        try:
            with conn.cursor() as cur:
                for sql in statements:
                    cur.execute(sql)
        finally:
            conn.close()

    def url(self, name):
        return (f"mysql+pymysql://{quote(self.user, safe='')}:{quote(self.password, safe='')}"
                f"@{self.host}:{self.port}/{name}?charset=utf8mb4")

    def create_database(self, name):
        """(Re)create an empty database and return its SQLAlchemy URL."""
        if not re.fullmatch(r"[A-Za-z0-9_]{1,64}", name):
            raise ValueError(f"bad database name: {name!r}")
        self._admin(f"DROP DATABASE IF EXISTS `{name}`",
                    f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        return self.url(name)

    def drop_database(self, name):
        self._admin(f"DROP DATABASE IF EXISTS `{name}`")
