"""A small SIP user agent over UDP for the presence tests: it SUBSCRIBEs and
PUBLISHes (answering a digest challenge with its password) and answers the
NOTIFYs the presence server sends it, keeping them for the test to read.

Only what a presence watcher needs; every message is parsed from the wire,
nothing is assumed about the server's answers.
"""
import hashlib
import re
import socket
import time
import uuid

_COMPACT = {'v': 'via', 'f': 'from', 't': 'to', 'i': 'call-id',
            'm': 'contact', 'l': 'content-length', 'c': 'content-type',
            'o': 'event'}


class Message:
    def __init__(self, data):
        head, _, body = data.partition(b'\r\n\r\n')
        lines = head.decode('utf-8', 'replace').split('\r\n')
        self.first = lines[0]
        self.headers = []               # [(lower-case name, value)]
        for line in lines[1:]:
            if line[:1] in (' ', '\t') and self.headers:
                name, value = self.headers[-1]
                self.headers[-1] = (name, value + ' ' + line.strip())
                continue
            name, _, value = line.partition(':')
            name = name.strip().lower()
            self.headers.append((_COMPACT.get(name, name), value.strip()))
        length = self.get('content-length')
        self.body = body[:int(length)] if length else body
        self.is_request = not self.first.startswith('SIP/2.0 ')
        self.status = None if self.is_request else int(self.first.split()[1])
        self.method = self.first.split()[0] if self.is_request else \
            self.get('cseq', '').split()[-1]

    def get(self, name, default=None):
        for n, v in self.headers:
            if n == name:
                return v
        return default

    def all(self, name):
        return [v for n, v in self.headers if n == name]

    def __repr__(self):
        return '<%s>' % self.first


def _params(header):
    """Digest challenge parameters -> dict."""
    return {k.lower(): v.strip('"') for k, v in
            re.findall(r'(\w+)=("[^"]*"|[^,\s]+)', header)}


def _md5(text):
    return hashlib.md5(text.encode()).hexdigest()


class Watcher:
    """A SIP UA for ``sip:<user>@<domain>`` on 127.0.0.1, talking to the
    SIP server at ``server`` (host, port)."""

    def __init__(self, server, user, domain, password=None):
        self.server, self.user, self.domain = server, user, domain
        self.password = password
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(('127.0.0.1', 0))
        self.port = self.sock.getsockname()[1]
        self.notifies = []              # every NOTIFY received (answered)
        self.replies = []               # every reply received
        self.sent = []

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def uri(self):
        return 'sip:%s@%s' % (self.user, self.domain)

    def _send(self, text):
        self.sent.append(text)
        self.sock.sendto(text.encode(), self.server)

    def _answer(self, request):
        """200 OK to a request the server sent us (a NOTIFY)."""
        lines = ['SIP/2.0 200 OK']
        lines += ['Via: %s' % v for v in request.all('via')]
        for name in ('from', 'to', 'call-id', 'cseq'):
            lines.append('%s: %s' % (name.title() if name != 'call-id'
                                     else 'Call-ID', request.get(name)))
        lines += ['Content-Length: 0', '', '']
        self.sock.sendto('\r\n'.join(lines).encode(), self.server)

    def pump(self, timeout):
        """Receive one message within ``timeout`` seconds, answering a
        request (NOTIFY). Returns it, or None."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                data, _ = self.sock.recvfrom(65535)
            except socket.timeout:
                return None
            msg = Message(data)
            if msg.is_request:
                if msg.method == 'NOTIFY':
                    self.notifies.append(msg)
                self._answer(msg)
            else:
                self.replies.append(msg)
            return msg

    def _request_text(self, method, target, call_id, tag, cseq, headers,
                      body, auth):
        branch = 'z9hG4bK' + uuid.uuid4().hex[:16]
        lines = [
            '%s %s SIP/2.0' % (method, target),
            'Via: SIP/2.0/UDP 127.0.0.1:%d;rport;branch=%s' % (self.port,
                                                               branch),
            'Max-Forwards: 70',
            'From: <%s>;tag=%s' % (self.uri, tag),
            'To: <%s>' % target,
            'Call-ID: %s' % call_id,
            'CSeq: %d %s' % (cseq, method),
            'Contact: <sip:%s@127.0.0.1:%d>' % (self.user, self.port)]
        lines += headers
        if auth:
            lines.append(auth)
        lines += ['Content-Length: %d' % len(body), '', '']
        return '\r\n'.join(lines) + body.decode()

    def _authorization(self, challenge, method, uri):
        header = challenge.get('proxy-authenticate') or \
            challenge.get('www-authenticate')
        p = _params(header)
        ha1 = _md5('%s:%s:%s' % (self.user, p['realm'], self.password))
        ha2 = _md5('%s:%s' % (method, uri))
        fields = {'username': self.user, 'realm': p['realm'],
                  'nonce': p['nonce'], 'uri': uri, 'algorithm': 'MD5'}
        if 'auth' in p.get('qop', '').split(','):
            cnonce, nc = uuid.uuid4().hex[:16], '00000001'
            fields['response'] = _md5('%s:%s:%s:%s:auth:%s' % (
                ha1, p['nonce'], nc, cnonce, ha2))
            fields.update(qop='auth', nc=nc, cnonce=cnonce)
        else:
            fields['response'] = _md5('%s:%s:%s' % (ha1, p['nonce'], ha2))
        if 'opaque' in p:
            fields['opaque'] = p['opaque']
        value = 'Digest ' + ', '.join(
            '%s=%s' % (k, v if k in ('qop', 'nc', 'algorithm')
                       else '"%s"' % v) for k, v in fields.items())
        name = 'Proxy-Authorization' if challenge.status == 407 \
            else 'Authorization'
        return '%s: %s' % (name, value)

    def _request(self, method, target, headers, body=b'', timeout=5.0):
        """Send a request out of dialog; answers one digest challenge when
        the UA has a password. Returns the final reply."""
        call_id = uuid.uuid4().hex + '@127.0.0.1'
        tag = uuid.uuid4().hex[:10]
        auth = None
        for cseq in (1, 2):
            self._send(self._request_text(method, target, call_id, tag, cseq,
                                          headers, body, auth))
            reply = self._final(timeout)
            if reply.status in (401, 407) and self.password and auth is None:
                auth = self._authorization(reply, method, target)
                continue
            return reply
        return reply

    def subscribe(self, target, expires=300, timeout=5.0):
        """SUBSCRIBE to ``target``'s presence; the final reply."""
        return self._request('SUBSCRIBE', target, [
            'Event: presence', 'Accept: application/pidf+xml',
            'Expires: %d' % expires], timeout=timeout)

    def publish(self, target, pidf, expires=300, timeout=5.0):
        """PUBLISH a PIDF document (bytes) for ``target``; the final
        reply."""
        return self._request('PUBLISH', target, [
            'Event: presence', 'Content-Type: application/pidf+xml',
            'Expires: %d' % expires], pidf, timeout=timeout)

    def _final(self, timeout):
        deadline = time.monotonic() + timeout
        while True:
            msg = self.pump(deadline - time.monotonic())
            if msg is None:
                raise AssertionError('no final reply to SUBSCRIBE within '
                                     '%.0f s' % timeout)
            if not msg.is_request and msg.status >= 200:
                return msg

    def listen(self, seconds):
        """Receive (and answer) whatever comes for ``seconds``."""
        deadline = time.monotonic() + seconds
        while deadline > time.monotonic():
            self.pump(deadline - time.monotonic())

    def wait_notify(self, predicate=lambda n: True, timeout=5.0):
        """The first NOTIFY received (now or within ``timeout``) for which
        ``predicate`` holds, or None."""
        deadline = time.monotonic() + timeout
        while True:
            for n in self.notifies:
                if predicate(n):
                    return n
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.pump(left)
