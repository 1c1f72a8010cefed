"""Presence of SIP accounts in Kamailio's presence tables: the document the
PresencePort publishes (presentity), the pres-rules document (xcap) and the
watchers Kamailio records (watchers, active_watchers).

The server's publication of an account is the presentity row whose ruid is
derived from the account, and its pres-rules the xcap row whose doc_uri is
the account's XCAP URI: both columns are unique keys, so that writes for one
account end up in one row. The writing calls of one account hold its
subscriber row (ha1(lock=True)); should an insert still lose a race for the
key (another database node), it updates the winner's row instead.
"""
import hashlib
import time
import uuid

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from .sip.accounts import on_account_delete

EVENT = 'presence'
PRES_RULES = 2            # xcap doc_type (xcap_client: PRES_RULES = 1 << 1)
# presence's subscription states (presence/subscribe.h).
ACTIVE, PENDING, TERMINATED, WAITING = 1, 2, 3, 4


def presentity_uri(username, domain):
    return 'sip:%s@%s' % (username, domain)


def _ruid(username, domain):
    digest = hashlib.sha1(presentity_uri(username, domain).encode())
    return 'ngnpro-' + digest.hexdigest()


def ha1(conn, s, username, domain, lock=False):
    """The account's HA1 from Kamailio's subscriber table, or None. With
    ``lock`` the row stays locked to the end of the unit of work, so that
    the writes of one account's calls never interleave (two first inserts
    of one key would deadlock in InnoDB)."""
    sub = s.subscriber
    stmt = select(sub.c.ha1).where(sub.c.username == username,
                                   sub.c.domain == domain)
    if lock:
        stmt = stmt.with_for_update()
    return conn.execute(stmt).scalar()


def new_etag():
    return 'ngnpro.' + uuid.uuid4().hex


def doc_uri(xcap_root, username, domain):
    """The account's pres-rules document as Kamailio's xcap_server names it
    (``<xcap root>pres-rules/users/<sip uri>/index``)."""
    return '%s/pres-rules/users/%s/index' % (
        xcap_root.rstrip('/'), presentity_uri(username, domain))


def _upsert(conn, table, key, values):
    """UPDATE the row ``key`` selects, or INSERT it; an insert that loses a
    race for the unique key updates the row the winner inserted."""
    if conn.execute(update(table).where(key).values(**values)).rowcount:
        return
    try:
        with conn.begin_nested():
            conn.execute(insert(table).values(**values))
    except IntegrityError:
        conn.execute(update(table).where(key).values(**values))


# -- the published document -------------------------------------------------

def publish(conn, s, username, domain, body, expires_in, now=None):
    """Publish ``body`` (PIDF bytes) for the account until now + expires_in;
    returns the new etag."""
    now = int(now or time.time())
    p = s.presentity
    etag = new_etag()
    ruid = _ruid(username, domain)
    _upsert(conn, p, p.c.ruid == ruid, {
        'username': username, 'domain': domain, 'event': EVENT,
        'etag': etag, 'expires': now + expires_in, 'received_time': now,
        'body': body, 'sender': '', 'priority': 0, 'ruid': ruid})
    return etag


def published(conn, s, username, domain, now=None):
    """The body of the account's current (not expired) publication, or
    None."""
    now = int(now or time.time())
    p = s.presentity
    return conn.execute(select(p.c.body).where(
        p.c.ruid == _ruid(username, domain), p.c.expires > now)).scalar()


# An unpublished document expires at once (expires 1: in the past, and
# positive, which is what Kamailio's clean-up looks for): like a PUBLISH
# with Expires: 0, Kamailio's presence module then notifies the watchers
# and deletes the row (at its next clean-up, or on presence.cleanup).
EXPIRED = 1


def unpublish(conn, s, username, domain, now=None):
    """Expire the account's publication; True when there was one."""
    now = int(now or time.time())
    p = s.presentity
    return conn.execute(update(p).where(
        p.c.ruid == _ruid(username, domain), p.c.expires > now)
        .values(expires=EXPIRED)).rowcount > 0


# -- pres-rules -----------------------------------------------------------

def pres_rules(conn, s, username, domain):
    """The account's pres-rules document (bytes), or None."""
    x = s.xcap
    return conn.execute(select(x.c.doc).where(
        x.c.username == username, x.c.domain == domain,
        x.c.doc_type == PRES_RULES).order_by(x.c.id.desc()).limit(1)
    ).scalar()


def store_pres_rules(conn, s, username, domain, doc, uri):
    """Replace the account's pres-rules by ``doc`` at XCAP URI ``uri``:
    presence_xml reads one pres-rules document per account, so any other
    (an XCAP client's under another URI) goes. Returns the new etag."""
    x = s.xcap
    conn.execute(delete(x).where(
        x.c.username == username, x.c.domain == domain,
        x.c.doc_type == PRES_RULES, x.c.doc_uri != uri))
    etag = new_etag()
    _upsert(conn, x, x.c.doc_uri == uri, {
        'username': username, 'domain': domain, 'doc': doc,
        'doc_type': PRES_RULES, 'etag': etag, 'source': 0, 'doc_uri': uri,
        'port': 0})
    return etag


# -- watchers ---------------------------------------------------------------

def _status(status, reason):
    if status == ACTIVE:
        return 'deny' if reason == 'polite-block' else 'allow'
    if status in (PENDING, WAITING):
        return 'confirm'
    return 'deny'


def watchers(conn, s, username, domain, limit, now=None):
    """[{id, status, online}] of the account's presence watchers, by URI:
    the authorization Kamailio recorded for each (watchers) and whether it
    has a live subscription (active_watchers), at most ``limit`` of each."""
    now = int(now or time.time())
    uri = presentity_uri(username, domain)
    w, a = s.watchers, s.active_watchers
    found = {}
    for user, dom, status, reason in conn.execute(
            select(w.c.watcher_username, w.c.watcher_domain, w.c.status,
                   w.c.reason)
            .where(w.c.presentity_uri == uri, w.c.event == EVENT)
            .order_by(w.c.id).limit(limit)):
        found[(user, dom)] = {'status': _status(status, reason),
                              'online': False}
    for user, dom, status, reason in conn.execute(
            select(a.c.watcher_username, a.c.watcher_domain, a.c.status,
                   a.c.reason)
            .where(a.c.presentity_uri == uri, a.c.event == EVENT,
                   a.c.expires > now)
            .order_by(a.c.id).limit(limit)):
        entry = found.setdefault((user, dom), {
            'status': _status(status, reason), 'online': False})
        if status != TERMINATED:
            entry['online'] = True
    out = [dict(v, id='sip:%s@%s' % k) for k, v in found.items()]
    return sorted(out, key=lambda v: v['id'])[:limit]


# -- accounts that go -------------------------------------------------------

@on_account_delete
def _forget(conn, s, username, domain):
    """An account's publications, pres-rules and watchers go with it
    (username None: every account of the domain)."""
    p, x, w, a = s.presentity, s.xcap, s.watchers, s.active_watchers
    if username is None:
        pattern = 'sip:%%@%s' % domain.replace('%', r'\%').replace('_', r'\_')
        mine = {'p': p.c.domain == domain, 'x': x.c.domain == domain,
                'w': w.c.presentity_uri.like(pattern, escape='\\'),
                'a': a.c.presentity_uri.like(pattern, escape='\\')}
    else:
        uri = presentity_uri(username, domain)
        mine = {'p': and_(p.c.username == username, p.c.domain == domain),
                'x': and_(x.c.username == username, x.c.domain == domain),
                'w': w.c.presentity_uri == uri,
                'a': a.c.presentity_uri == uri}
    for key, table in (('p', p), ('x', x), ('w', w), ('a', a)):
        conn.execute(delete(table).where(mine[key]))
