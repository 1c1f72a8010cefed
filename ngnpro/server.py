"""Serving: Twisted in front, the WSGI app on the reactor's thread pool.

SQLAlchemy and PyMySQL block, so calls run on pool threads (spyne's own
Twisted resource runs them on the reactor thread and is broken on current
Twisted); the pool is as large as the database pool, so no call waits for a
connection while holding a thread.
"""
import logging
import os
import sys

from .dispatch import Dispatcher
from .store.db import Store
from .wsgi import NgnProWsgi

log = logging.getLogger('ngnpro')


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
    store = Store(config.database_url, pool_size=config.threads,
                  kamailio_tables=config.kamailio_tables)
    dispatcher = Dispatcher(config, store, all_ports())
    return NgnProWsgi(config, dispatcher, config.wsdl_dir or
                      default_wsdl_dir()), store


def setup_logging(config):
    if config.access_log in ('', '-'):
        handler = logging.StreamHandler(sys.stderr)
    else:
        handler = logging.FileHandler(config.access_log)
    handler.setFormatter(logging.Formatter('%(asctime)s %(message)s'))
    root = logging.getLogger('ngnpro')
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def serve(config):
    from twisted.internet import defer, reactor, task
    from twisted.web.server import Site
    from twisted.web.wsgi import WSGIResource

    setup_logging(config)
    app, store = build_app(config)
    pool = reactor.getThreadPool()
    pool.adjustPoolsize(minthreads=1, maxthreads=config.threads)
    resource = WSGIResource(reactor, pool, app)
    try:
        site = Site(resource, parsePOSTFormSubmission=False)
    except TypeError:  # Twisted older than 23 has no such switch
        site = Site(resource)
    site.noisy = False
    if config.tls_certificate:
        from twisted.internet import ssl
        context = ssl.DefaultOpenSSLContextFactory(config.tls_private_key,
                                                   config.tls_certificate)
        listener = reactor.listenSSL(config.port, site, context,
                                     interface=config.listen)
    else:
        listener = reactor.listenTCP(config.port, site,
                                     interface=config.listen)

    @defer.inlineCallbacks
    def drain():
        # Stop accepting, then let running calls finish before the thread
        # pool is joined: stopping with calls in flight can deadlock
        # (pool threads wait for the reactor, the reactor for the pool).
        yield listener.stopListening()
        for _ in range(300):
            if app.in_flight == 0:
                break
            yield task.deferLater(reactor, 0.1, lambda: None)
        store.dispose()

    reactor.addSystemEventTrigger('before', 'shutdown', drain)
    scheme = 'https' if config.tls_certificate else 'http'
    log.info('NGNPro server listening on %s://%s:%d/ngnpro/ (database %s)',
             scheme, config.listen, listener.getHost().port,
             store.engine.url.render_as_string(hide_password=True))
    reactor.run()
