"""HTTP in front of the dispatcher: limits, gzip, WSDL downloads, the
index, health and API reference pages, access log, request statistics.

What the legacy client needs from HTTP (spec §1.2): faults with status 500
(never 4xx: it would lose the fault detail), ``text/xml; charset=utf-8``, a
Content-Length and no chunked encoding.
"""
import copy
import logging
import os
import time
import zlib

from . import pages
from .faults import REQUEST_TOO_LARGE, INVALID_REQUEST, NGNProError
from .soap import encode
from .soap.wsdl import with_location

access_log = logging.getLogger('ngnpro.access')
XML = 'text/xml; charset=utf-8'
_STATUS = {200: '200 OK', 500: '500 Internal Server Error'}

# GET /ngnpro/wsdl and /wsdl: combined legacy WSDL; .../wsdl/<Port>: one port;
# <path>?wsdl: the document/literal WSDL of the port that path names.
_PORT_PATHS = {'sip': 'SipPort', 'customer': 'CustomerPort', 'dns': 'DnsPort',
               'enum': 'EnumPort', 'voicemail': 'VoicemailPort',
               'rating': 'RatingPort', 'network': 'NetworkPort',
               'presence': 'PresencePort'}


class NgnProWsgi:
    def __init__(self, config, dispatcher, wsdl_dir):
        self.config = config
        self.dispatcher = dispatcher
        self.namespaces = None        # ports served here; None = all
        # Set by the server (ngnpro.server.build_app): request counts for
        # CDRTool, the health probe, the API reference files.
        self.statistics = None
        self.health = None
        self.api_files = {}
        # Read once at start-up: GET never touches the file system, and only
        # the files found here can ever be served.
        self.wsdl_files = {}
        if os.path.isdir(wsdl_dir):
            for name in os.listdir(wsdl_dir):
                if name.endswith(('.wsdl', '.xsd')):
                    with open(os.path.join(wsdl_dir, name), 'rb') as f:
                        self.wsdl_files[name] = f.read()

    def only(self, namespaces):
        """The same application serving only the ports of ``namespaces``
        (a listening port of their own, such as the Voicemail port's)."""
        app = copy.copy(self)
        app.namespaces = frozenset(namespaces)
        return app

    def __call__(self, environ, start_response):
        if environ['REQUEST_METHOD'] == 'POST':
            return self._post(environ, start_response)
        started = time.monotonic()
        if environ['REQUEST_METHOD'] in ('GET', 'HEAD'):
            status, body, content_type = self._get(environ)
        else:
            status, body, content_type = (
                '405 Method Not Allowed', b'Use POST for SOAP requests\n',
                'text/plain')
        access_log.info('%s %s %s%s %s %.1fms',
                        environ.get('REMOTE_ADDR', '-'),
                        environ['REQUEST_METHOD'],
                        environ.get('PATH_INFO', '/'),
                        '?' + environ['QUERY_STRING']
                        if environ.get('QUERY_STRING') else '',
                        status.split()[0],
                        (time.monotonic() - started) * 1000)
        return self._reply(start_response, status, body, content_type)

    def _post(self, environ, start_response):
        started = time.monotonic()
        client = environ.get('REMOTE_ADDR', '-')
        try:
            data = self._read_body(environ)
        except NGNProError as exc:
            status, body = self._refused(exc, client, started)
        else:
            status, body = self._call(data, client, started)
        return self._reply(start_response, _STATUS[status], body, XML)

    def post(self, data, content_encoding, client):
        """A POST body the HTTP layer has read (and bounded) -> (HTTP
        status, SOAP answer): the serving hot path, without WSGI."""
        started = time.monotonic()
        try:
            data = self._decoded(data, content_encoding)
        except NGNProError as exc:
            return self._refused(exc, client, started)
        return self._call(data, client, started)

    def _refused(self, exc, client, started):
        self._log(client, '-', '-', '-', exc.errorcode, started)
        return 500, encode.fault(exc)

    def _call(self, data, client, started):
        outcome = self.dispatcher.handle(data, client, self.namespaces)
        self._log(client, outcome.port, outcome.operation, outcome.principal,
                  outcome.errorcode, started)
        return (200 if outcome.status == 200 else 500), outcome.body

    def _read_body(self, environ):
        limit = self.config.max_request_size
        try:
            length = int(environ.get('CONTENT_LENGTH') or -1)
        except ValueError:
            raise NGNProError(INVALID_REQUEST, 'Invalid Content-Length')
        if length > limit:
            raise NGNProError(REQUEST_TOO_LARGE, 'Request body of %d bytes is '
                              'larger than the limit of %d' % (length, limit))
        stream = environ['wsgi.input']
        data = stream.read(length if length >= 0 else limit + 1)
        return self._decoded(data, environ.get('HTTP_CONTENT_ENCODING', ''))

    def _decoded(self, data, content_encoding):
        limit = self.config.max_request_size
        if len(data) > limit:
            raise NGNProError(REQUEST_TOO_LARGE, 'Request body is larger than '
                              'the limit of %d bytes' % limit)
        encoding = content_encoding.strip().lower()
        if encoding in ('gzip', 'deflate', 'x-gzip'):
            data = self._inflate(data)
        elif encoding not in ('', 'identity'):
            raise NGNProError(INVALID_REQUEST,
                              'Unsupported Content-Encoding %s' % encoding)
        return data

    def _inflate(self, data):
        limit = self.config.max_inflated_size
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib
        try:
            out = inflater.decompress(data, limit + 1)
        except zlib.error as exc:
            raise NGNProError(INVALID_REQUEST, 'Corrupt compressed body: %s'
                              % exc)
        if len(out) > limit or inflater.unconsumed_tail:
            raise NGNProError(REQUEST_TOO_LARGE, 'Decompressed request is '
                              'larger than the limit of %d bytes' % limit)
        return out

    def _get(self, environ):
        """-> (status, body, content type)."""
        path = environ.get('PATH_INFO', '/').rstrip('/')
        query = environ.get('QUERY_STRING', '').lower()
        parts = [p for p in path.split('/') if p and p != 'ngnpro']
        if not parts and not query:
            return '200 OK', pages.index(
                pages.version(), self.dispatcher.ports.values(),
                self.api_files), 'text/html; charset=utf-8'
        if parts == ['health'] and self.health is not None:
            code, body = self.health.answer()
            return ('200 OK' if code == 200 else '503 Service Unavailable',
                    body, 'application/json')
        if parts[:1] == ['api'] and len(parts) <= 2:
            data = self.api_files.get(parts[1] if len(parts) == 2
                                      else 'README.md')
            if data is not None:
                return '200 OK', data, 'text/plain; charset=utf-8'
        name = None
        if query == 'wsdl':
            port = _PORT_PATHS.get(parts[-1].lower()) if parts else None
            name = '%s.literal.wsdl' % port if port else 'ngnpro.wsdl'
        elif parts[:1] == ['wsdl']:
            name = ('%s.wsdl' % _port_name(parts[1]) if len(parts) == 2
                    else 'ngnpro.wsdl')
        elif parts == ['soap-encoding.xsd']:
            name = 'soap-encoding.xsd'
        data = self._wsdl_file(name) if name else None
        if data is None:
            return '404 Not Found', b'Not found\n', 'text/plain'
        return '200 OK', with_location(data, _base_url(environ)), XML

    def _wsdl_file(self, name):
        return self.wsdl_files.get(name)

    @staticmethod
    def _reply(start_response, status, body, content_type):
        start_response(status, [('Content-Type', content_type),
                                ('Content-Length', str(len(body)))])
        return [body]

    def _log(self, client, port, operation, principal, errorcode, started):
        seconds = time.monotonic() - started
        if self.statistics is not None:
            self.statistics.count(port, operation, client, seconds)
        if not access_log.isEnabledFor(logging.INFO):
            return
        # makeRecord, not info(): no walk up the stack for the caller's
        # file and line, which the access line does not show.
        access_log.handle(access_log.makeRecord(
            access_log.name, logging.INFO, __file__, 0,
            '%s %s.%s %s fault=%s %.1fms', (
                client, port, operation, principal, errorcode or '-',
                seconds * 1000), None))


def _port_name(text):
    text = text.lower().replace('port', '')
    return _PORT_PATHS.get(text, 'unknown')


def _base_url(environ):
    scheme = environ.get('wsgi.url_scheme', 'http')
    host = environ.get('HTTP_HOST') or '%s:%s' % (
        environ.get('SERVER_NAME', 'localhost'), environ.get('SERVER_PORT'))
    return '%s://%s/ngnpro/' % (scheme, host)
