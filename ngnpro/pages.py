"""The pages a person opens in a browser: GET /ngnpro/ (what this server
is: version, ports, their WSDLs) and the API reference (docs/api/, served
as text under /ngnpro/api/)."""
import os
import sys
from functools import lru_cache
from html import escape

# Literal WSDL of a port: GET /ngnpro/<path>?wsdl (ngnpro.wsgi).
LITERAL_PATHS = {'SipPort': 'sip', 'CustomerPort': 'customer',
                 'DnsPort': 'dns', 'EnumPort': 'enum',
                 'VoicemailPort': 'voicemail', 'RatingPort': 'rating',
                 'NetworkPort': 'network', 'PresencePort': 'presence'}


@lru_cache(maxsize=None)
def version():
    from importlib import metadata
    try:
        return metadata.version('ngnpro')
    except metadata.PackageNotFoundError:
        return 'unknown'


def default_api_dir():
    here = os.path.dirname(os.path.abspath(__file__))
    # <prefix>/lib/python3*/{site,dist}-packages/ngnpro: the prefix the
    # package was installed (or a .deb unpacked) in.
    prefix = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.dirname(here))))
    for candidate in (os.path.join(os.path.dirname(here), 'docs', 'api'),
                      os.path.join(prefix, 'share', 'ngnpro', 'api'),
                      os.path.join(sys.prefix, 'share', 'ngnpro', 'api'),
                      '/usr/share/ngnpro/api'):
        if os.path.isdir(candidate):
            return candidate
    return None


def load_api(directory):
    """{file name: bytes} of the API reference (read once at start-up)."""
    out = {}
    if directory and os.path.isdir(directory):
        for name in os.listdir(directory):
            if name.endswith('.md'):
                with open(os.path.join(directory, name), 'rb') as f:
                    out[name] = f.read()
    return out


def index(version, ports, api_files):
    """The HTML index of /ngnpro/."""
    rows = []
    for port in ports:
        if port.service is None:
            continue
        name = escape(port.name)
        literal = LITERAL_PATHS.get(port.name)
        api = '%s.md' % port.name
        rows.append(
            '<tr><td>%s</td><td><code>%s</code></td><td>%d</td>'
            '<td><a href="/ngnpro/wsdl/%s">rpc/encoded</a>%s</td><td>%s</td>'
            '</tr>' % (
                name, escape(port.namespace), len(port.operations), name,
                ' · <a href="/ngnpro/%s?wsdl">document/literal</a>' % literal
                if literal else '',
                '<a href="/ngnpro/api/%s">%s</a>' % (api, api)
                if api in api_files else ''))
    reference = ('<p><a href="/ngnpro/api/">API reference</a>: every '
                 'operation with its arguments, types, faults and an '
                 'example.</p>' if api_files else
                 '<p>The API reference (docs/api/) is not installed.</p>')
    return ("""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>NGNPro provisioning server</title>
<style>body{font-family:sans-serif;margin:2em}td,th{padding:.2em .8em;
text-align:left}</style></head><body>
<h1>NGNPro provisioning server %s</h1>
<p>SOAP/XML (NGNPro): POST every request to this URL; the namespace of the
operation element chooses the port.</p>
<table><tr><th>Port</th><th>Namespace</th><th>Operations</th><th>WSDL</th>
<th>Reference</th></tr>
%s
</table>
<p><a href="/ngnpro/wsdl">Combined rpc/encoded WSDL</a> (every port) ·
<a href="/ngnpro/health">Health</a> (JSON)</p>
%s
</body></html>
""" % (escape(version), '\n'.join(rows), reference)).encode()
