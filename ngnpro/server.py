"""Serving: Twisted in front, SOAP calls on the reactor's thread pool.

SQLAlchemy and PyMySQL block, so calls run on pool threads (spyne's own
Twisted resource runs them on the reactor thread and is broken on current
Twisted); the pool is as large as the database pool, so no call waits for a
connection while holding a thread. A POST goes to the pool and its answer
comes back in one hop each way (twisted.web.wsgi would add a blocking
round trip to the reactor for every write); GETs go through the WSGI app.

Several worker processes each listen on a socket of their own bound with
SO_REUSEPORT: the kernel spreads new connections over them. On one shared
socket, a burst of keep-alive connections lands on whichever worker wakes
first and stays there (one busy core, one idle).
"""
import errno
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time

from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET

from .dispatch import Dispatcher
from .store.db import Store
from .wsgi import NgnProWsgi

XML = b'text/xml; charset=utf-8'

log = logging.getLogger('ngnpro')
VOICEMAIL_NAMESPACE = 'urn:AGProjects:NGNPro:Voicemail'


def default_wsdl_dir():
    here = os.path.dirname(os.path.abspath(__file__))
    for candidate in (os.path.join(os.path.dirname(here), 'wsdl'),
                      os.path.join(sys.prefix, 'share', 'ngnpro', 'wsdl'),
                      '/usr/share/ngnpro/wsdl'):
        if os.path.isdir(candidate):
            return candidate
    return os.path.join(os.path.dirname(here), 'wsdl')


def build_app(config):
    from ports import all_ports
    from . import pages, statistics
    from .health import Health
    from .store.db import split_urls
    store = Store(config.database_url, pool_size=config.threads,
                  native_tables=config.native_tables)
    dispatcher = Dispatcher(config, store, all_ports())
    app = NgnProWsgi(config, dispatcher, config.wsdl_dir or
                     default_wsdl_dir())
    app.health = Health(config, store, pages.version())
    app.api_files = pages.load_api(pages.default_api_dir())
    if config.statistics:
        app.statistics = statistics.Statistics(
            config.statistics_url or split_urls(config.database_url)[0],
            statistics.functions_of(dispatcher),
            config.statistics_interval)
    return app, store


def _cannot_listen(exc, address, port):
    """A listening address that is taken or not ours: one line, no
    traceback."""
    err = getattr(exc, 'socketError', exc)
    reason = getattr(err, 'strerror', None) or str(err)
    hint = ''
    if getattr(err, 'errno', None) == errno.EADDRINUSE:
        hint = ' (another server runs there? stop it, or set [server] ' \
            'port in the configuration)'
    return SystemExit('ngnpro: cannot listen on %s:%d: %s%s'
                      % (address, port, reason, hint))


def setup_logging(config):
    if config.access_log in ('', '-'):
        handler = logging.StreamHandler(sys.stderr)
    else:
        handler = logging.FileHandler(config.access_log)
    handler.setFormatter(logging.Formatter(
        '%(asctime)s [%(process)d] %(message)s'))
    root = logging.getLogger('ngnpro')
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    # One access line per call, written and flushed under the handler's
    # lock, was a fifth of a worker's CPU under load (pool threads queue
    # on that lock): access lines are buffered and written in batches
    # (flush_access_log, every second and at exit); anything of level
    # WARNING or above goes out at once, with what was buffered before it.
    from logging.handlers import MemoryHandler
    access = logging.getLogger('ngnpro.access')
    access.propagate = False
    access.handlers[:] = [MemoryHandler(1000, logging.WARNING, handler)]


def flush_access_log():
    for h in logging.getLogger('ngnpro.access').handlers:
        h.flush()


def serve(config, config_path=None, worker_ports=None):
    """One process, or a supervisor of ``processes`` workers sharing the
    port (the GIL caps one process at about one core; design notes).
    ``worker_ports``: (port, voicemail port) of a worker the supervisor
    started."""
    from twisted.internet.error import CannotListenError
    processes = config.processes or os.cpu_count() or 1
    try:
        if worker_ports is None and processes > 1:
            return _supervise(config, config_path, processes)
        return _run_worker(config, worker_ports)
    except (CannotListenError, _ListenError) as exc:
        raise _cannot_listen(exc, getattr(exc, 'address', None) or
                             exc.interface or '*', exc.port) from None


def _voicemail_listen(config):
    """The Voicemail port's own address, or None when not configured."""
    if not config.voicemail_port:
        return None
    return config.voicemail_listen or config.listen, config.voicemail_port


class _ListenError(OSError):
    def __init__(self, exc, address, port):
        super().__init__(exc.errno, exc.strerror)
        self.socketError, self.address, self.port = exc, address, port


def _shared_socket(address, port):
    """A socket bound with SO_REUSEPORT: workers' sockets on the same
    address and port (same user) share the connections."""
    family = socket.AF_INET6 if ':' in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((address, port))
    except OSError as exc:
        sock.close()
        raise _ListenError(exc, address, port) from None
    return sock


def _supervise(config, config_path, processes):
    """Hold the ports, start the workers (each listens on its own
    SO_REUSEPORT socket), forward SIGTERM/SIGINT to them and restart one
    that dies unexpectedly."""
    setup_logging(config)
    # Bound, never listening: the supervisor gets no connections, but the
    # port stays ours while a worker restarts (and port 0 gets its number).
    socks = [_shared_socket(config.listen, config.port)]
    ports = [socks[0].getsockname()[1]]
    vm = _voicemail_listen(config)
    if vm:
        socks.append(_shared_socket(*vm))
        ports.append(vm[1])
    command = [sys.executable, '-m', 'ngnpro.cli'] + \
        (['-c', config_path] if config_path else []) + \
        ['serve', '--worker-ports', ','.join(map(str, ports))]

    def spawn():
        return subprocess.Popen(command)

    workers = [spawn() for _ in range(processes)]
    stopping = []

    def stop(signum, _frame):
        stopping.append(signum)
        for w in workers:
            if w.poll() is None:
                w.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info('NGNPro %s supervisor: %d workers on %s:%d', _version(),
             processes, config.listen, ports[0])
    while True:
        for i, w in enumerate(workers):
            code = w.poll()
            if code is not None and not stopping:
                log.error('worker %d exited with %s; restarting', w.pid, code)
                time.sleep(1)
                workers[i] = spawn()
        if stopping and all(w.poll() is not None for w in workers):
            break
        time.sleep(0.2)
    for sock in socks:
        sock.close()
    log.info('NGNPro supervisor stopped (%s)', _signal_name(stopping[0]))
    return max(w.returncode for w in workers)


def _version():
    from .pages import version
    return version()


def _signal_name(signum):
    try:
        return signal.Signals(signum).name
    except ValueError:
        return 'signal %d' % signum


class _Draining:
    """Counts calls from the moment they are queued for a pool thread until
    that thread is done with them, and turns new calls away once drained.

    Counting inside the WSGI app is not enough: a call queued but not yet
    started, or arriving on an already accepted connection after the count
    read zero, would run while the reactor joins the pool, and its
    blockingCallFromThread would wait for that reactor forever.
    """

    def __init__(self, pool):
        self.pool = pool
        self.queued = 0
        self.closed = False
        self._lock = threading.Lock()

    def callInThread(self, run):       # called on the reactor thread
        with self._lock:
            self.queued += 1

        def counted():
            try:
                run()
            finally:
                with self._lock:
                    self.queued -= 1
        self.pool.callInThread(counted)

    def resource(self, reactor, app):
        return SoapResource(reactor, self, app)


class SoapResource(Resource):
    """POST: the body, read on the reactor thread, is answered by a pool
    thread; the answer is written back on the reactor, or dropped quietly
    when the client has gone meanwhile. Anything else: the WSGI app."""
    isLeaf = True

    def __init__(self, reactor, draining, app):
        super().__init__()
        from twisted.web.wsgi import WSGIResource
        self.reactor = reactor
        self.draining = draining
        self.app = app
        self.wsgi = WSGIResource(reactor, draining, app)

    def render(self, request):
        if self.draining.closed:
            request.setResponseCode(503)
            request.setHeader(b'connection', b'close')
            return b'Server is stopping\n'
        if request.method != b'POST':
            return self.wsgi.render(request)
        data = request.content.read()
        encoding = (request.getHeader(b'content-encoding') or b'').decode(
            'latin-1')
        client = getattr(request.getClientAddress(), 'host', '-')
        app, reactor = self.app, self.reactor

        def run():
            try:
                status, body = app.post(data, encoding, client)
            except Exception as exc:    # post() answers faults itself
                from .faults import INTERNAL_ERROR, NGNProError, loggable
                from .soap import encode
                log.error('internal error: %s', loggable(exc))
                status, body = 500, encode.fault(NGNProError(
                    INTERNAL_ERROR, 'Internal server error'))
            reactor.callFromThread(_answer, request, status, body)
        self.draining.callInThread(run)
        return NOT_DONE_YET


def _answer(request, status, body):
    if request.finished or request._disconnected:
        return              # the client went away: nobody to tell
    request.setResponseCode(status)
    request.setHeader(b'content-type', XML)
    request.setHeader(b'content-length', b'%d' % len(body))
    request.write(body)
    request.finish()


def _warn_if_database_down(store):
    """Serve anyway (the database may come up after us), but say so."""
    from sqlalchemy.exc import SQLAlchemyError
    try:
        with store.engine.connect():
            pass
    except SQLAlchemyError as exc:
        log.warning('database %s is not reachable yet (%s): calls fail with '
                    'fault 108 until it is',
                    store.engine.url.render_as_string(hide_password=True),
                    str(exc).splitlines()[0])


def _factory(config, resource):
    from .http import GuardedSite
    try:
        site = GuardedSite(resource, config, parsePOSTFormSubmission=False)
    except TypeError:  # Twisted older than 23 has no such switch
        site = GuardedSite(resource, config)
    site.noisy = False
    if not config.tls_certificate:
        return site
    from twisted.internet import ssl
    from twisted.protocols.tls import TLSMemoryBIOFactory
    context = ssl.DefaultOpenSSLContextFactory(config.tls_private_key,
                                               config.tls_certificate)
    return TLSMemoryBIOFactory(context, False, site)


def _listen(reactor, factory, address, port, shared, backlog):
    if not shared:
        return reactor.listenTCP(port, factory, backlog=backlog,
                                 interface=address)
    sock = _shared_socket(address, port)
    sock.listen(backlog)
    sock.setblocking(False)
    try:
        return reactor.adoptStreamPort(sock.fileno(), sock.family, factory)
    finally:
        sock.close()        # Twisted keeps its own duplicate


def _run_worker(config, worker_ports=None):
    from twisted.internet import defer, reactor, task, threads

    from . import live
    setup_logging(config)
    app, store = build_app(config)
    pool = reactor.getThreadPool()
    pool.adjustPoolsize(minthreads=1, maxthreads=config.threads)
    draining = _Draining(pool)
    shared = worker_ports is not None
    port, vm_port = (tuple(worker_ports) + (None,))[:2] if shared else \
        (config.port, None)
    listeners = [_listen(reactor, _factory(config, draining.resource(
        reactor, app)), config.listen, port, shared, config.backlog)]
    vm = _voicemail_listen(config)
    if vm:
        # Deployments give voicemail a host of its own (spec §1.3): there,
        # only the Voicemail port answers.
        vm_app = app.only([VOICEMAIL_NAMESPACE])
        listeners.append(_listen(reactor, _factory(config, draining.resource(
            reactor, vm_app)), vm[0], vm_port or vm[1], shared,
            config.backlog))

    @defer.inlineCallbacks
    def drain():
        # Stop accepting, then let running calls finish before the thread
        # pool is joined: stopping with calls in flight can deadlock
        # (pool threads wait for the reactor, the reactor for the pool).
        log.info('NGNPro server stopping (%s): %d calls in flight',
                 _signal_name(stopping[0]) if stopping else 'stop',
                 draining.queued)
        for listener in listeners:
            yield listener.stopListening()
        for _ in range(300):
            if draining.queued == 0:
                break
            yield task.deferLater(reactor, 0.1, lambda: None)
        # Same reactor tick as the zero check: nothing new can be queued.
        draining.closed = True
        # Off the reactor thread: both may wait for a database.
        yield threads.deferToThreadPool(reactor, pool, live.uninstall)
        if app.statistics is not None:
            yield threads.deferToThreadPool(reactor, pool,
                                            app.statistics.stop)
        store.dispose()

    reactor.addSystemEventTrigger('before', 'shutdown', drain)
    task.LoopingCall(flush_access_log).start(1.0, now=False)
    reactor.addSystemEventTrigger('after', 'shutdown', flush_access_log)
    # One stop for several signals: Ctrl-C on `make run` sends SIGINT to
    # the group and make then sends SIGTERM, the supervisor too; Twisted's
    # own handlers would stop twice (ReactorNotRunning traceback).
    stopping = []

    def stop_once(signum, _frame):
        if not stopping:
            stopping.append(signum)
            reactor.callFromThread(reactor.stop)

    # After Twisted installs its handlers (during startup).
    reactor.callWhenRunning(lambda: [signal.signal(s, stop_once) for s in
                                     (signal.SIGTERM, signal.SIGINT)])
    _warn_if_database_down(store)
    # Failed reloads of any process on the database, and ours from now on.
    live.install(config, store)
    if app.statistics is not None:
        app.statistics.start()
    scheme = 'https' if config.tls_certificate else 'http'
    log.info('NGNPro %s server listening on %s://%s:%d/ngnpro/ (database '
             '%s)', _version(), scheme, config.listen,
             listeners[0].getHost().port,
             store.engine.url.render_as_string(hide_password=True))
    if vm:
        log.info('Voicemail port listening on %s://%s:%d/', scheme, vm[0],
                 listeners[1].getHost().port)
    reactor.run()
    log.info('NGNPro server stopped')
    return 0
