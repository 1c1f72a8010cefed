"""A real Kamailio 5.6 backed by MySQL/MariaDB, for end-to-end tests, running
the project's example configuration (etc/kamailio/kamailio.cfg).

It behaves like an operator's registrar reading the tables ngnpro manages:

* REGISTER for a domain not in the ``domain`` table   -> 404
* REGISTER without credentials                        -> 401 challenge
* wrong password / unknown user / auth user != To user -> 403
* authenticated user in group ``blocked``             -> 403
* otherwise the contact is saved (memory only)        -> 200

Any other request to user@local-domain is resolved through ``dbaliases`` and
the in-memory location table and answered with 302 (Contact: binding) or 404;
the reply carries ``X-AOR: user@domain`` after alias resolution.

The domain and address tables are cached by Kamailio: after changing them the
server under test sends the reloads itself. subscriber, grp and dbaliases are
read on every request.

Start-up fails unless the ``version`` table has the rows Kamailio expects
(``ngnpro db init`` writes them). The layouts are those of
/usr/share/kamailio/mysql/*-create.sql.
"""

import atexit
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
import uuid

from .mariadb import PrivateDaemon, die_with_parent, free_port, _tail, _which


def find_binary():
    """Path of the kamailio binary, or None if it is not installed."""
    return _which("kamailio")


def find_sipsak():
    return _which("sipsak")


def find_module_dir():
    """Directory holding db_mysql.so (kamailio-mysql-modules), or None."""
    for d in ("/usr/lib/x86_64-linux-gnu/kamailio/modules",
              "/usr/lib/aarch64-linux-gnu/kamailio/modules",
              "/usr/lib/kamailio/modules", "/usr/lib64/kamailio/modules",
              "/usr/local/lib64/kamailio/modules", "/usr/local/lib/kamailio/modules"):
        if os.path.exists(os.path.join(d, "db_mysql.so")):
            return d
    return None


class KamailioError(RuntimeError):
    pass


# The example configuration shipped with the project is what the tests run.
CONFIG = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "etc", "kamailio", "kamailio.cfg")


_STATUS_RE = re.compile(r"^SIP/2\.0 (\d{3})", re.M)


class Kamailio(PrivateDaemon):
    def __init__(self, db_host="127.0.0.1", db_port=3306, db_user="ngnpro",
                 db_password="ngnpro", db_name="ngnpro", *, defines=None,
                 startup_timeout=20.0):
        self.db_url = f"mysql://{db_user}:{db_password}@{db_host}:{db_port}/{db_name}"
        self.defines = dict(defines or {})  # more -A defines for features
        self.startup_timeout = startup_timeout
        self.port = None
        self.proc = None
        self.tmpdir = None
        self.startup_seconds = None
        self.last_output = ""  # of the last sipsak run, for failure messages

    # -- lifecycle ---------------------------------------------------------

    def start(self):
        if self.proc is not None:
            return self
        binary, mpath = find_binary(), find_module_dir()
        if not binary or not mpath:
            raise KamailioError("kamailio / kamailio-mysql-modules not installed")
        t0 = time.monotonic()
        self.tmpdir = tempfile.mkdtemp(prefix="ngnpro-kamailio-")
        atexit.register(self.stop)
        self.log = os.path.join(self.tmpdir, "kamailio.log")
        self.ctl_socket = os.path.join(self.tmpdir, "ctl.sock")
        self.rpc_socket = os.path.join(self.tmpdir, "kamailio_rpc.sock")
        fixed_port = os.environ.get("NGNPRO_TEST_SIP_PORT")
        for attempt in range(1 if fixed_port else 3):
            self.port = int(fixed_port) if fixed_port else free_port(socket.SOCK_DGRAM)
            defines = dict(self.defines,
                           DBURL=f'"{self.db_url}"', LISTEN=f"udp:127.0.0.1:{self.port}",
                           RPC_SOCKET=f'"{self.rpc_socket}"',
                           CTL_SOCKET=f'"unix:{self.ctl_socket}"')
            args = [a for k, v in defines.items()
                    for a in ("-A", k if v is None else f"{k}={v}")]
            with open(self.log, "a") as log:
                # -DD: stay in the foreground but still fork the workers;
                # -E: log to stderr (our log file) instead of syslog.
                self.proc = subprocess.Popen(
                    [binary, "-DD", "-E", "-f", CONFIG, *args, "-Y", self.tmpdir,
                     "-P", os.path.join(self.tmpdir, "kamailio.pid"),
                     "-w", self.tmpdir, "-m", "32", "-M", "8"],
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True,  # own group: stop() kills workers too
                    preexec_fn=die_with_parent)
            try:
                self._wait_ready()
                break
            except KamailioError:
                busy = "Address already in use" in _tail(self.log, 50)
                self._kill()
                if fixed_port or not busy or attempt == 2:
                    self._cleanup_dir()
                    raise
        self.startup_seconds = time.monotonic() - t0
        return self

    def _wait_ready(self):
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise KamailioError(
                    f"kamailio exited with code {self.proc.returncode} during start-up;"
                    f" tail of {self.log}:\n{_tail(self.log, 40)}")
            # Replying to OPTIONS means the workers are up and the script runs
            # (child_init, which opens the DB connections, is done).
            if self.options(timeout=0.3) is not None:
                return
        raise KamailioError(f"kamailio did not answer OPTIONS on 127.0.0.1:{self.port}"
                            f" within {self.startup_timeout}s; tail of {self.log}:\n"
                            f"{_tail(self.log, 40)}")

    def stop(self):
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            self._kill()
        self._cleanup_dir()

    def _kill(self):
        if self.proc is not None:
            try:  # the whole group: workers must not outlive the main process
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
        self.proc = None

    def log_tail(self, lines=40):
        return _tail(self.log, lines) if self.tmpdir else ""

    # -- control -----------------------------------------------------------

    def rpc(self, *args, timeout=10):
        """Run a Kamailio RPC command through kamcmd and return its output."""
        kamcmd = _which("kamcmd")
        if not kamcmd:
            raise KamailioError("kamcmd not found (it ships with the kamailio package)")
        out = subprocess.run([kamcmd, "-s", f"unix:{self.ctl_socket}", *args],
                             capture_output=True, text=True, timeout=timeout)
        if out.returncode != 0 or out.stdout.startswith("error"):
            raise KamailioError(f"kamcmd {' '.join(args)} failed: {out.stdout}{out.stderr}")
        return out.stdout

    def reload(self):
        """Re-read the cached tables (domain, address) after they changed."""
        self.rpc("domain.reload")
        self.rpc("permissions.addressReload")

    # -- SIP clients -------------------------------------------------------

    def request(self, method, ruri, to=None, timeout=2.0, from_uri=None,
                call_id=None):
        """Send one bare request (no auth); return the reply text or None.
        ``from_uri`` is who calls (the proxy takes the caller from From)."""
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            s.settimeout(timeout)
            lport = s.getsockname()[1]
            tag = uuid.uuid4().hex
            msg = (f"{method} {ruri} SIP/2.0\r\n"
                   f"Via: SIP/2.0/UDP 127.0.0.1:{lport};rport;branch=z9hG4bK{tag[:16]}\r\n"
                   "Max-Forwards: 10\r\n"
                   f"From: <{from_uri or 'sip:probe@127.0.0.1'}>;tag={tag[16:24]}\r\n"
                   f"To: <{to or ruri}>\r\n"
                   f"Call-ID: {call_id or tag + '@127.0.0.1'}\r\n"
                   f"CSeq: 1 {method}\r\n"
                   f"Contact: <sip:caller@127.0.0.1:{lport}>\r\n"
                   "Content-Length: 0\r\n\r\n")
            s.sendto(msg.encode(), ("127.0.0.1", self.port))
            try:
                return s.recv(65535).decode(errors="replace")
            except (socket.timeout, ConnectionRefusedError):
                return None

    def invite(self, ruri, from_uri, call_id=None, timeout=2.0):
        """INVITE ``ruri`` as ``from_uri``: (status, reply text). The final
        answer of this redirecting proxy is its only reply."""
        reply = self.request("INVITE", ruri, timeout=timeout,
                             from_uri=from_uri, call_id=call_id)
        if reply is None:
            raise KamailioError(f"no reply to INVITE {ruri}; log tail:\n"
                                f"{self.log_tail()}")
        return int(_STATUS_RE.match(reply).group(1)), reply

    def options(self, timeout=2.0):
        """Status code of an OPTIONS to the server itself, None if no answer."""
        reply = self.request("OPTIONS", f"sip:127.0.0.1:{self.port}", timeout=timeout)
        m = reply and _STATUS_RE.match(reply)
        return int(m.group(1)) if m else None

    def lookup(self, username, domain, timeout=2.0):
        """Resolve user@domain (aliases, then registrations).

        Returns (status, aor, contact): 302 with the registered contact, or
        404; aor is the user@domain after alias resolution (None if the
        domain is not served)."""
        reply = self.request("OPTIONS", f"sip:{username}@{domain}", timeout=timeout)
        if reply is None:
            raise KamailioError(f"no reply from kamailio; log tail:\n{self.log_tail()}")
        code = int(_STATUS_RE.match(reply).group(1))
        aor = re.search(r"^X-AOR:\s*(\S+)", reply, re.M | re.I)
        contact = re.search(r"^Contact:\s*<([^>]*)>", reply, re.M | re.I)
        return code, aor and aor.group(1), contact and contact.group(1)

    def register(self, username, domain, password, expires=300, timeout=15):
        """REGISTER user@domain with digest auth via sipsak; final status code.

        The request goes to 127.0.0.1:port (-p) while the URIs carry the SIP
        domain, like a phone using an outbound proxy."""
        sipsak = find_sipsak()
        if not sipsak:
            raise KamailioError("sipsak not installed")
        # -p must precede -s: sipsak resolves the -s host (the SIP domain,
        # which has no DNS here) unless an outbound proxy is already known.
        cmd = [sipsak, "-U", "-vvv",
               "-p", f"127.0.0.1:{self.port}",
               "-s", f"sip:{username}@{domain}",
               "-C", f"sip:{username}@127.0.0.1:5099",
               "-H", "127.0.0.1",  # Via/Contact host: no DNS lookup of our hostname
               # Without -u sipsak 0.9.8 sends username="alice@" in -U mode.
               "-u", username, "-a", password, "-x", str(expires)]
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as e:
            so_far = e.stdout.decode(errors="replace") if e.stdout else ""
            raise KamailioError(f"sipsak timed out after {timeout}s: {cmd}\n{so_far}") from None
        self.last_output = out.stdout + out.stderr
        finals = [int(c) for c in _STATUS_RE.findall(self.last_output) if int(c) >= 200]
        # sipsak answers a 401 by resending with credentials; a 401 as the
        # last word means the credentials were challenged again.
        if not finals:
            raise KamailioError(f"no final SIP reply in sipsak output (rc={out.returncode}):"
                                f" {cmd}\n{self.last_output}\nkamailio log:\n{self.log_tail()}")
        return finals[-1]
