"""The HTTP front door: Twisted's channel and request, with the limits an
Internet-facing server needs before any SOAP is looked at.

* a body larger than ``max_request_size`` is refused when its
  Content-Length arrives, and a body without a length as soon as it passes
  the limit; bodies are kept in memory, never spooled to disk;
* a request must arrive complete (request line, headers, body) within
  ``request_timeout`` seconds of the connection or of the previous answer,
  however slowly its bytes trickle in;
* one client address holds at most ``max_connections_per_address``
  connections, and new connections are refused before the process runs
  out of file descriptors (logged when it gets near).

Refusals of oversized bodies answer the same SOAP fault (106, HTTP 500) the
server gives for a large body it has read, so legacy clients see the code.
"""
import io
import logging
import resource
import time

from twisted.web.http import HTTPChannel
from twisted.web.server import Request, Site

from .faults import REQUEST_TOO_LARGE, NGNProError
from .soap import encode

log = logging.getLogger('ngnpro')

# Descriptors kept for the database pool, log files and the listening
# sockets when deciding how many client connections fit.
RESERVED_FDS = 64


def raise_fd_limit():
    """Soft limit of open files up to the hard one; returns the soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = 1048576 if hard == resource.RLIM_INFINITY else hard
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return soft


class _RateLimitedLog:
    """At most one line per key per minute: an attack must not flood the
    log it is recorded in."""

    def __init__(self):
        self.last = {}

    def warning(self, key, message, *args):
        now = time.monotonic()
        if now - self.last.get(key, -60.0) >= 60.0:
            self.last[key] = now
            if len(self.last) > 10000:
                self.last.clear()
            log.warning(message, *args)


class GuardedRequest(Request):
    def gotLength(self, length):
        # In memory: the channel bounds the body, so no temporary file.
        self.content = io.BytesIO()
        self._received = 0

    def handleContentChunk(self, data):
        self._received += len(data)
        if self._received > self.channel.site.max_request_size:
            self.channel.refuse_too_large()
            return
        self.content.write(data)


class GuardedChannel(HTTPChannel):
    site = None
    _deadline = None
    _refused = False

    def connectionMade(self):
        self.site = self.factory
        self.peer = getattr(self.transport.getPeer(), 'host', '-')
        if not self.site.admit(self):
            self._refused = True
            self.transport.abortConnection()
            return
        super().connectionMade()
        self._arm()

    def _arm(self):
        self._disarm()
        from twisted.internet import reactor
        self._deadline = reactor.callLater(self.site.request_timeout,
                                           self._too_slow)

    def _disarm(self):
        if self._deadline is not None and self._deadline.active():
            self._deadline.cancel()
        self._deadline = None

    def _too_slow(self):
        self._deadline = None
        self.site.notes.warning(('slow', self.peer), 'HTTP: %s took more '
                                'than %d s to send a request; closed',
                                self.peer, self.site.request_timeout)
        self.transport.abortConnection()

    def allHeadersReceived(self):
        if self.length is not None and \
                self.length > self.site.max_request_size:
            self.refuse_too_large()
            return
        super().allHeadersReceived()

    def allContentReceived(self):
        self._disarm()
        super().allContentReceived()

    def requestDone(self, request):
        super().requestDone(request)
        if self.persistent and not self._refused:
            self._arm()

    def refuse_too_large(self):
        if self._refused:
            return
        self._refused = True
        self._disarm()
        limit = self.site.max_request_size
        body = encode.fault(NGNProError(
            REQUEST_TOO_LARGE, 'Request body is larger than the limit of %d '
            'bytes' % limit))
        self.site.notes.warning(('large', self.peer), 'HTTP: %s sent a body '
                                'over %d bytes; refused', self.peer, limit)
        # Whatever else arrives on this connection is dropped unread.
        self.dataReceived = self.rawDataReceived = self.lineReceived = \
            lambda *args: None
        self.transport.write(
            b'HTTP/1.1 500 Internal Server Error\r\n'
            b'Content-Type: text/xml; charset=utf-8\r\n'
            b'Content-Length: %d\r\nConnection: close\r\n\r\n' % len(body)
            + body)
        self.transport.loseConnection()

    def connectionLost(self, reason):
        self._disarm()
        self.site.release(self)
        super().connectionLost(reason)


class GuardedSite(Site):
    protocol = GuardedChannel
    requestFactory = GuardedRequest

    def __init__(self, resource, config, **kwargs):
        super().__init__(resource, **kwargs)
        self.max_request_size = config.max_request_size
        self.request_timeout = config.request_timeout
        self.per_address = config.max_connections_per_address
        fds = raise_fd_limit()
        self.max_connections = max(16, fds - RESERVED_FDS - config.threads)
        self.connections = 0
        self.by_address = {}
        self._members = set()
        self.notes = _RateLimitedLog()

    def log(self, request):
        """Twisted's own combined-format line, built for every request and
        sent to a log nobody reads: the server keeps its access log."""

    def admit(self, channel):
        peer = channel.peer
        if self.connections >= self.max_connections:
            self.notes.warning('fds', 'HTTP: %d connections open, the most '
                               'this process allows (open-file limit); '
                               'refusing new ones', self.connections)
            return False
        if self.by_address.get(peer, 0) >= self.per_address:
            self.notes.warning(('peer', peer), 'HTTP: %s already has %d '
                               'connections open; refusing more', peer,
                               self.per_address)
            return False
        self.connections += 1
        self.by_address[peer] = self.by_address.get(peer, 0) + 1
        self._members.add(id(channel))
        if self.connections >= 0.8 * self.max_connections:
            self.notes.warning('fds-near', 'HTTP: %d connections open, near '
                               'the limit of %d', self.connections,
                               self.max_connections)
        return True

    def release(self, channel):
        if id(channel) not in self._members:
            return
        self._members.discard(id(channel))
        self.connections -= 1
        n = self.by_address.get(channel.peer, 1) - 1
        if n:
            self.by_address[channel.peer] = n
        else:
            self.by_address.pop(channel.peer, None)
