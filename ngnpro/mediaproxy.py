"""The management interface of a MediaProxy dispatcher (AG Projects'
media relay): one command per line (``summary``, ``sessions``), answered
with one line of JSON that merges what every connected relay reports. TLS
by default, as the dispatcher's ``management_use_tls``.
"""
import json
import socket
import ssl


MAX_REPLY = 16 * 1024 * 1024


class MediaProxyError(Exception):
    pass


def _address(text):
    host, sep, port = text.strip().rpartition(':')
    if not sep or not port.isdigit():
        return text.strip(), 25061          # the dispatcher's default
    return host.strip('[]'), int(port)


def _tls_context(config):
    context = ssl.create_default_context(
        cafile=config.mediaproxy_tls_ca or None)
    if not config.mediaproxy_tls_ca:
        # The dispatcher's certificates are usually the platform's own CA;
        # without one configured, encrypt but do not verify.
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if config.mediaproxy_tls_certificate:
        context.load_cert_chain(config.mediaproxy_tls_certificate,
                                config.mediaproxy_tls_private_key or None)
    return context


def command(config, name):
    """Send one command to the configured dispatcher; the decoded JSON.
    Raises MediaProxyError when it cannot be reached or answers badly."""
    host, port = _address(config.mediaproxy_dispatcher)
    try:
        with socket.create_connection(
                (host, port), timeout=config.mediaproxy_timeout) as raw:
            sock = raw
            if config.mediaproxy_tls:
                sock = _tls_context(config).wrap_socket(
                    raw, server_hostname=host)
            sock.sendall(name.encode() + b'\r\n')
            data = b''
            while not data.endswith(b'\r\n') and len(data) < MAX_REPLY:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
            try:
                sock.sendall(b'quit\r\n')
            except OSError:
                pass
    except (OSError, ssl.SSLError) as exc:
        raise MediaProxyError('MediaProxy dispatcher %s: %s'
                              % (config.mediaproxy_dispatcher, exc))
    line = data.decode('utf-8', 'replace').strip()
    if line == 'error' or not line:
        raise MediaProxyError('MediaProxy dispatcher %s answered %r to %s'
                              % (config.mediaproxy_dispatcher, line, name))
    try:
        return json.loads(line)
    except ValueError:
        raise MediaProxyError('MediaProxy dispatcher %s: not JSON: %.80r'
                              % (config.mediaproxy_dispatcher, line))
