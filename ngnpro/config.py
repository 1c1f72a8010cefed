"""Configuration: one INI file (etc/config.ini), every limit in it."""
import configparser
import os
from dataclasses import dataclass, field

from .throttle import Policy

DEFAULT_PATHS = ('/etc/ngnpro/config.ini',)


@dataclass
class Config:
    admin_username: str = 'admin'
    admin_password: str = ''
    listen: str = '127.0.0.1'
    port: int = 9200
    tls_certificate: str = ''
    tls_private_key: str = ''
    threads: int = 8
    backlog: int = 1024
    request_timeout: int = 30
    max_connections_per_address: int = 128
    processes: int = 1
    access_log: str = '-'
    database_url: str = 'sqlite:///var/ngnpro.sqlite'
    database_retries: int = 5
    journal: bool = True
    journal_keep_days: int = 730
    max_request_size: int = 1048576
    max_inflated_size: int = 4194304
    max_page_size: int = 5000
    max_array_length: int = 1000
    max_elements: int = 50000
    store_clear_text_passwords: bool = True
    # Renamed native tables, from every [*_tables] section: {default: name}.
    native_tables: dict = field(default_factory=dict)
    kamailio_rpc_socket: str = ''
    wsdl_dir: str = ''
    login_policy: Policy = field(default_factory=Policy)
    voicemail_server: str = ''      # host of sip:<mailbox>@<server>
    voicemail_context: str = 'default'
    # MediaProxy dispatcher management interface (host:port); empty: none.
    mediaproxy_dispatcher: str = ''
    mediaproxy_tls: bool = True
    mediaproxy_tls_ca: str = ''
    mediaproxy_tls_certificate: str = ''
    mediaproxy_tls_private_key: str = ''
    mediaproxy_timeout: int = 3
    # Kamailio's lcr module: instances (lcr_count) and lcr_gw rows per
    # instance (lcr_gw_count) it is configured for.
    pstn_lcr_count: int = 16
    pstn_lcr_gw_count: int = 256
    presence_expires: int = 86400   # seconds a SOAP publication lasts
    presence_xcap_root: str = '/xcap-root/'
    presence_max_domains: int = 50   # domains in one presence policy
    # DNS zones and ENUM ranges: SOA defaults and name servers.
    dns_ttl: int = 3600
    dns_refresh: int = 10800
    dns_retry: int = 3600
    dns_expire: int = 604800
    dns_minimum: int = 3600
    dns_email: str = ''             # '' = hostmaster@<zone>
    dns_nameservers: list = field(default_factory=list)
    enum_ttl: int = 3600
    enum_max_mappings: int = 5
    # PowerDNS cache purges after a commit: pdns_control and/or the API.
    powerdns_control: str = ''
    powerdns_socket_dirs: list = field(default_factory=list)
    powerdns_api_urls: list = field(default_factory=list)
    powerdns_api_key: str = ''
    powerdns_server_id: str = 'localhost'
    powerdns_timeout: int = 2
    voicemail_first_mailbox: int = 1000000
    voicemail_listen: str = ''      # '' = the [server] listen address
    voicemail_port: int = 0         # 0 = no listening port of its own
    # Failed after-commit effects (ngnpro.live): longest delay between two
    # tries, seconds between looks at the pending table, and after how
    # long a pending effect no server sends is dropped.
    reload_max_backoff: int = 30
    reload_poll_interval: int = 2
    reload_give_up: int = 86400
    # CDRTool's provisioning statistics (ngnpro.statistics): '' = the
    # server's own database.
    statistics: bool = True
    statistics_url: str = ''
    statistics_interval: int = 10
    node_id: str = ''               # '' = the host name
    node_address: str = ''          # '' = the listen address (or the host's)

    @classmethod
    def load(cls, path=None):
        parser = configparser.ConfigParser(interpolation=None)
        paths = [path] if path else [p for p in DEFAULT_PATHS
                                     if os.path.exists(p)]
        if path and not os.path.exists(path):
            raise SystemExit('configuration file not found: %s' % path)
        where = path or DEFAULT_PATHS[0]
        try:
            parser.read(paths)
        except configparser.Error as exc:
            raise SystemExit('configuration %s: %s' % (where, exc))
        c = cls()
        get = parser.get

        def typed(section, key, default, minimum=None, boolean=False):
            try:
                value = (parser.getboolean if boolean else parser.getint)(
                    section, key, fallback=default)
            except ValueError:
                raise SystemExit('configuration %s: [%s] %s must be %s, not '
                                 '%r' % (where, section, key, 'yes or no'
                                         if boolean else 'a whole number',
                                         get(section, key)))
            if minimum is not None and value < minimum:
                raise SystemExit('configuration %s: [%s] %s must be at least '
                                 '%d' % (where, section, key, minimum))
            return value
        c.admin_username = get('admin', 'username', fallback=c.admin_username)
        c.admin_password = get('admin', 'password', fallback=c.admin_password)
        c.listen = get('server', 'listen', fallback=c.listen)
        c.port = typed('server', 'port', c.port, minimum=0)
        c.tls_certificate = get('server', 'tls_certificate', fallback='')
        c.tls_private_key = get('server', 'tls_private_key', fallback='')
        c.threads = typed('server', 'threads', c.threads, minimum=1)
        for key in ('backlog', 'request_timeout',
                    'max_connections_per_address'):
            setattr(c, key, typed('server', key, getattr(c, key), minimum=1))
        c.processes = typed('server', 'processes', c.processes, minimum=0)
        c.access_log = get('server', 'access_log', fallback=c.access_log)
        c.wsdl_dir = get('server', 'wsdl_dir', fallback='')
        c.database_url = get('database', 'url', fallback=c.database_url)
        c.journal = typed('journal', 'enabled', c.journal, boolean=True)
        c.journal_keep_days = typed('journal', 'keep_days',
                                    c.journal_keep_days, minimum=1)
        c.database_retries = typed('database', 'retries', c.database_retries,
                                   minimum=0)
        for key in ('max_request_size', 'max_inflated_size', 'max_page_size',
                    'max_array_length', 'max_elements'):
            setattr(c, key, typed('limits', key, getattr(c, key), minimum=1))
        c.store_clear_text_passwords = typed(
            'sip', 'store_clear_text_passwords', c.store_clear_text_passwords,
            boolean=True)
        c.kamailio_rpc_socket = get('kamailio', 'rpc_socket', fallback='')
        for section in parser.sections():
            if section.endswith('_tables'):
                c.native_tables.update(parser.items(section))
        lp = c.login_policy
        lp.enabled = typed('auth', 'throttle', lp.enabled, boolean=True)
        for key in ('slow_after', 'lock_after', 'lock_seconds',
                    'address_slow_after', 'address_lock_after',
                    'user_slow_after', 'window'):
            setattr(lp, key, typed('auth', key, getattr(lp, key), minimum=1))
        c.voicemail_server = get('voicemail', 'server', fallback='')
        c.voicemail_context = get('voicemail', 'context',
                                  fallback=c.voicemail_context)
        c.mediaproxy_dispatcher = get('mediaproxy', 'dispatcher',
                                      fallback='')
        c.mediaproxy_tls = typed('mediaproxy', 'tls', c.mediaproxy_tls,
                                 boolean=True)
        for key in ('ca', 'certificate', 'private_key'):
            setattr(c, 'mediaproxy_tls_' + key,
                    get('mediaproxy', 'tls_' + key, fallback=''))
        c.mediaproxy_timeout = typed('mediaproxy', 'timeout',
                                     c.mediaproxy_timeout, minimum=1)
        c.pstn_lcr_count = typed('pstn', 'lcr_count', c.pstn_lcr_count,
                                 minimum=1)
        c.pstn_lcr_gw_count = typed('pstn', 'lcr_gw_count',
                                    c.pstn_lcr_gw_count, minimum=2)
        c.presence_expires = typed('presence', 'expires', c.presence_expires,
                                   minimum=1)
        if c.presence_expires > 31536000:    # expires is a 32-bit time
            raise SystemExit('configuration %s: [presence] expires must be '
                             'at most 31536000 (a year)' % where)
        c.presence_xcap_root = get('presence', 'xcap_root',
                                   fallback=c.presence_xcap_root)
        c.presence_max_domains = typed('presence', 'max_domains',
                                       c.presence_max_domains, minimum=0)
        for key in ('ttl', 'refresh', 'retry', 'expire', 'minimum'):
            setattr(c, 'dns_' + key, typed('dns', key,
                                           getattr(c, 'dns_' + key),
                                           minimum=0))
        c.dns_email = get('dns', 'email', fallback='')
        c.dns_nameservers = _words(get('dns', 'nameservers', fallback=''))
        c.enum_ttl = typed('enum', 'ttl', c.enum_ttl, minimum=0)
        c.enum_max_mappings = typed('enum', 'max_mappings',
                                    c.enum_max_mappings, minimum=1)
        c.powerdns_control = get('powerdns', 'pdns_control', fallback='')
        c.powerdns_socket_dirs = _words(get('powerdns', 'socket_dir',
                                            fallback=''))
        c.powerdns_api_urls = _words(get('powerdns', 'api_url', fallback=''))
        c.powerdns_api_key = get('powerdns', 'api_key', fallback='')
        c.powerdns_server_id = get('powerdns', 'server_id',
                                   fallback=c.powerdns_server_id)
        c.powerdns_timeout = typed('powerdns', 'timeout', c.powerdns_timeout,
                                   minimum=1)
        c.voicemail_first_mailbox = typed('voicemail', 'first_mailbox',
                                          c.voicemail_first_mailbox,
                                          minimum=0)
        c.voicemail_listen = get('voicemail', 'listen', fallback='')
        c.voicemail_port = typed('voicemail', 'listen_port',
                                 c.voicemail_port, minimum=0)
        for key in ('max_backoff', 'poll_interval', 'give_up'):
            setattr(c, 'reload_' + key, typed(
                'reloads', key, getattr(c, 'reload_' + key), minimum=1))
        c.statistics = typed('statistics', 'enabled', c.statistics,
                             boolean=True)
        c.statistics_url = get('statistics', 'url', fallback='')
        c.statistics_interval = typed('statistics', 'interval',
                                      c.statistics_interval, minimum=1)
        c.node_id = get('network', 'node_id', fallback='')
        c.node_address = get('network', 'address', fallback='')
        if c.voicemail_port and c.voicemail_port == c.port and \
                (c.voicemail_listen or c.listen) == c.listen:
            raise SystemExit('configuration %s: [voicemail] listen_port must '
                             'differ from [server] port' % where)
        if not c.admin_password:
            raise SystemExit('[admin] password must be set in %s' % where)
        return c


def _words(value):
    """A list setting: items separated by commas and/or blanks."""
    return [w for w in value.replace(',', ' ').split() if w]
