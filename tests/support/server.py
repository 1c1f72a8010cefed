"""Run the real server (`ngnpro serve`) as a subprocess on loopback, the way
an operator runs it, for tests that drive it with real SOAP clients."""
import os
import socket
import subprocess
import sys
import time
import urllib.request

from tests.helpers import ADMIN
from tests.support.mariadb import free_port

CONFIG = """[admin]
username = {user}
password = {password}
[server]
listen = 127.0.0.1
port = {port}
threads = 8
processes = {processes}
access_log = {log}
{tls}
{server_extra}
[database]
url = {url}
{db_extra}
[kamailio]
rpc_socket = {rpc_socket}
{extra}
"""


class Server:
    def __init__(self, workdir, db_url, port=None, rpc_socket='', tls=None,
                 processes=1, command=None, env=None, server_extra='',
                 db_extra='', extra=''):
        # command/env: run another build of the server (an unpacked .deb);
        # db_extra: more [database] settings; extra: more sections.
        self.command = command or [sys.executable, '-m', 'ngnpro.cli']
        self.env = env
        self.cwd = workdir if command else None
        self.workdir = str(workdir)
        self.db_url = db_url
        self.port = port or int(os.environ.get('NGNPRO_TEST_PORT') or 0) \
            or free_port()
        self.config = os.path.join(self.workdir, 'config.ini')
        self.log = os.path.join(self.workdir, 'server.log')
        with open(self.config, 'w') as f:
            f.write(CONFIG.format(user=ADMIN[0], password=ADMIN[1],
                                  port=self.port, log=self.log, url=db_url,
                                  rpc_socket=rpc_socket, processes=processes,
                                  server_extra=server_extra,
                                  db_extra=db_extra, extra=extra,
                                  tls=('tls_certificate = %s\ntls_private_key = %s'
                                       % tls) if tls else ''))
        self.proc = None
        self.url = '%s://127.0.0.1:%d/ngnpro/' % ('https' if tls else 'http',
                                                  self.port)

    def _cli(self, *args):
        return self.command + ['-c', self.config] + list(args)

    def init_db(self):
        """`ngnpro db init`, as an operator runs it before the first start."""
        subprocess.run(self._cli('db', 'init'), check=True, env=self.env,
                       capture_output=True, timeout=60, cwd=self.cwd)

    def start(self, timeout=20, init=True):
        if init:
            self.init_db()
        self.stderr = open(os.path.join(self.workdir, 'stderr.log'), 'wb')
        self.proc = subprocess.Popen(self._cli('serve'), stdout=self.stderr,
                                     stderr=subprocess.STDOUT, env=self.env,
                                     cwd=self.cwd)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError('server exited: %s' % self.tail())
            try:
                with socket.create_connection(('127.0.0.1', self.port), 0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError('server did not start: %s' % self.tail())

    def log_with(self, *lines, seconds=5):
        """The server's log once it holds every one of ``lines`` (access
        lines are written in batches, about every second)."""
        deadline = time.monotonic() + seconds
        while True:
            text = open(self.log, errors='replace').read() \
                if os.path.exists(self.log) else ''
            if all(line in text for line in lines) or \
                    time.monotonic() > deadline:
                return text
            time.sleep(0.1)

    def tail(self):
        out = []
        for path in (os.path.join(self.workdir, 'stderr.log'), self.log):
            if os.path.exists(path):
                out.append(open(path, errors='replace').read()[-3000:])
        return '\n'.join(out)

    def post(self, body, headers=None):
        """Raw POST -> (status, headers, body)."""
        req = urllib.request.Request(self.url, data=body, method='POST')
        req.add_header('Content-Type', 'text/xml; charset=UTF-8')
        req.add_header('SOAPAction', '""')
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read()

    def stop(self):
        """SIGTERM, as an init system stops it; a server that does not exit
        cleanly within 15 s (a shutdown deadlock) fails the test."""
        if self.proc is None:
            return
        hung = False
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                hung = True
                self.proc.kill()
                self.proc.wait()
        self.stderr.close()
        code, self.proc = self.proc.returncode, None
        if hung or code != 0:
            raise RuntimeError('server did not stop cleanly (exit %s): %s'
                               % ('hung' if hung else code, self.tail()))


class Remote:
    """The server over HTTP where tests.soapcall.Client expects a
    dispatcher: handle(body) -> an outcome with status and body."""

    def __init__(self, server):
        self.server = server

    def handle(self, data, client=None):
        from types import SimpleNamespace
        status, _, body = self.server.post(data)
        return SimpleNamespace(status=status, body=body)
