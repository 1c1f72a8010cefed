"""Serving: Twisted in front, the WSGI app on the reactor's thread pool.

SQLAlchemy and PyMySQL block, so calls run on pool threads (spyne's own
Twisted resource runs them on the reactor thread and is broken on current
Twisted); the pool is as large as the database pool, so no call waits for a
connection while holding a thread.
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

from .dispatch import Dispatcher
from .store.db import Store
from .wsgi import NgnProWsgi

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


def serve(config, config_path=None, listen_fd=None, voicemail_fd=None):
    """One process, or a supervisor of ``processes`` workers sharing one
    listening socket (the thread hop and the GIL cap one process at about
    one core; design notes)."""
    from twisted.internet.error import CannotListenError
    processes = config.processes or os.cpu_count() or 1
    try:
        if listen_fd is None and processes > 1:
            return _supervise(config, config_path, processes)
        return _run_worker(config, listen_fd, voicemail_fd)
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


def _listening_socket(address, port, backlog):
    family = socket.AF_INET6 if ':' in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((address, port))
    except OSError as exc:
        sock.close()
        raise _ListenError(exc, address, port) from None
    sock.listen(backlog)
    sock.set_inheritable(True)
    return sock


def _supervise(config, config_path, processes):
    """Bind once, start the workers on the inherited socket, forward
    SIGTERM/SIGINT to them and restart one that dies unexpectedly."""
    setup_logging(config)
    socks = [_listening_socket(config.listen, config.port, config.backlog)]
    command = [sys.executable, '-m', 'ngnpro.cli'] + \
        (['-c', config_path] if config_path else []) + \
        ['serve', '--listen-fd', str(socks[0].fileno())]
    vm = _voicemail_listen(config)
    if vm:
        socks.append(_listening_socket(*vm, config.backlog))
        command += ['--voicemail-fd', str(socks[1].fileno())]
    fds = tuple(s.fileno() for s in socks)

    def spawn():
        return subprocess.Popen(command, pass_fds=fds)

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
             processes, config.listen, socks[0].getsockname()[1])
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
        from twisted.web.wsgi import WSGIResource
        draining = self

        class Resource(WSGIResource):
            def render(self, request):
                if draining.closed:
                    request.setResponseCode(503)
                    request.setHeader(b'connection', b'close')
                    return b'Server is stopping\n'
                return WSGIResource.render(self, request)
        return Resource(reactor, self, app)


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


def _listen(reactor, factory, address, port, fd, backlog):
    if fd is None:
        return reactor.listenTCP(port, factory, backlog=backlog,
                                 interface=address)
    family = socket.AF_INET6 if ':' in address else socket.AF_INET
    # Workers race for each connection: a blocking accept() in the one
    # that loses would freeze its reactor.
    os.set_blocking(fd, False)
    return reactor.adoptStreamPort(fd, family, factory)


def _run_worker(config, listen_fd=None, voicemail_fd=None):
    from twisted.internet import defer, reactor, task, threads

    from . import live
    setup_logging(config)
    app, store = build_app(config)
    pool = reactor.getThreadPool()
    pool.adjustPoolsize(minthreads=1, maxthreads=config.threads)
    draining = _Draining(pool)
    listeners = [_listen(reactor, _factory(config, draining.resource(
        reactor, app)), config.listen, config.port, listen_fd,
        config.backlog)]
    vm = _voicemail_listen(config)
    if vm:
        # Deployments give voicemail a host of its own (spec §1.3): there,
        # only the Voicemail port answers.
        vm_app = app.only([VOICEMAIL_NAMESPACE])
        listeners.append(_listen(reactor, _factory(config, draining.resource(
            reactor, vm_app)), vm[0], vm[1], voicemail_fd, config.backlog))

    @defer.inlineCallbacks
    def drain():
        # Stop accepting, then let running calls finish before the thread
        # pool is joined: stopping with calls in flight can deadlock
        # (pool threads wait for the reactor, the reactor for the pool).
        log.info('NGNPro server stopping: %d calls in flight',
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
