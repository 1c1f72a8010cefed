"""SIP accounts with their groups, properties and ACL; Kamailio's
subscriber (HA1/HA1B) and grp tables."""
import hashlib
from functools import lru_cache

from sqlalchemy import and_, bindparam, delete, exists, insert, select, update

from ..rows import now


def ha1_pair(username, domain, password):
    """HA1 = MD5(user:realm:pw), HA1B = MD5(user@domain:realm:pw), realm =
    domain (kamctl's definition, which Kamailio's auth_db checks)."""
    def md5(text):
        return hashlib.md5(text.encode('utf-8')).hexdigest()
    return (md5('%s:%s:%s' % (username, domain, password)),
            md5('%s@%s:%s:%s' % (username, domain, domain, password)))


@lru_cache(maxsize=None)
def _one(s):
    """The statements that read one account, built once per schema: the
    per-call cost is then binding, not building (and no expanding IN)."""
    a, g, sub = s.sip_accounts, s.grp, s.subscriber
    p, acl = s.sip_account_properties, s.sip_account_acl
    u, d, i = bindparam('u'), bindparam('d'), bindparam('i')
    row = select(a).where(a.c.username == u, a.c.domain == d)
    return {
        'row': row, 'row_for_update': row.with_for_update(),
        'groups': select(g.c.grp).where(g.c.domain == d, g.c.username == u)
        .order_by(g.c.grp),
        'ha1': select(sub.c.ha1).where(sub.c.domain == d, sub.c.username == u),
        'properties': select(p.c.name, p.c.value).where(p.c.account_id == i)
        .order_by(p.c.id),
        'acl': select(acl.c.ip, acl.c.mask, acl.c.tag)
        .where(acl.c.account_id == i).order_by(acl.c.id)}


def account_row(conn, s, username, domain, for_update=False):
    stmt = _one(s)['row_for_update' if for_update else 'row']
    return conn.execute(stmt, {'u': username, 'd': domain}).mappings().first()


@lru_cache(maxsize=None)
def _inserts(s):
    """The INSERTs of an account's rows, built once per schema (the values
    are bound per call)."""
    return {t.name: insert(t) for t in (
        s.sip_accounts, s.subscriber, s.grp, s.sip_account_properties,
        s.sip_account_acl)}


def insert_account(conn, s, values, secret, groups, properties, acl):
    stamp = now()
    ins = _inserts(s)
    account_id = conn.execute(ins[s.sip_accounts.name], dict(
        values, create_date=stamp, change_date=stamp)).inserted_primary_key[0]
    conn.execute(ins[s.subscriber.name], dict(
        secret, username=values['username'], domain=values['domain']))
    _write_details(conn, s, account_id, values['username'], values['domain'],
                   groups, properties, acl)
    return account_id


def update_account(conn, s, row, values, secret, groups, properties, acl):
    conn.execute(update(s.sip_accounts).where(s.sip_accounts.c.id == row['id'])
                 .values(change_date=now(), **values))
    if secret is not None:
        sub = s.subscriber
        conn.execute(update(sub).where(sub.c.username == row['username'],
                                       sub.c.domain == row['domain'])
                     .values(**secret))
    if groups is not None:
        conn.execute(delete(s.grp).where(s.grp.c.username == row['username'],
                                         s.grp.c.domain == row['domain']))
    if properties is not None:
        conn.execute(delete(s.sip_account_properties).where(
            s.sip_account_properties.c.account_id == row['id']))
    if acl is not None:
        conn.execute(delete(s.sip_account_acl).where(
            s.sip_account_acl.c.account_id == row['id']))
    _write_details(conn, s, row['id'], row['username'], row['domain'],
                   groups, properties, acl)


def _write_details(conn, s, account_id, username, domain, groups, properties,
                   acl):
    stamp = now()
    ins = _inserts(s)
    if groups:
        conn.execute(ins[s.grp.name], [
            {'username': username, 'domain': domain, 'grp': g,
             'last_modified': stamp} for g in groups])
    if properties:
        conn.execute(ins[s.sip_account_properties.name], [
            dict(p, account_id=account_id) for p in properties])
    if acl:
        conn.execute(ins[s.sip_account_acl.name], [
            dict(a, account_id=account_id) for a in acl])


def delete_account_details(conn, s, ids):
    if ids:
        conn.execute(delete(s.sip_account_properties).where(
            s.sip_account_properties.c.account_id.in_(ids)))
        conn.execute(delete(s.sip_account_acl).where(
            s.sip_account_acl.c.account_id.in_(ids)))


# Rows of other subjects that belong to SIP accounts (settings, mailboxes,
# prepaid balances...): each subject registers a cleanup(conn, s, username,
# domain), called when accounts go; username None means every account of
# the domain.
ACCOUNT_CLEANUPS = []


def on_account_delete(cleanup):
    """Decorator: run ``cleanup`` whenever accounts are deleted."""
    ACCOUNT_CLEANUPS.append(cleanup)
    return cleanup


def run_cleanups(conn, s, username, domain):
    for cleanup in ACCOUNT_CLEANUPS:
        cleanup(conn, s, username, domain)


def delete_account(conn, s, row):
    """The account and everything hanging off it: groups, properties, ACL,
    Kamailio credentials, and the aliases that point at it."""
    user, dom = row['username'], row['domain']
    run_cleanups(conn, s, user, dom)
    delete_account_details(conn, s, [row['id']])
    conn.execute(delete(s.grp).where(s.grp.c.username == user,
                                     s.grp.c.domain == dom))
    conn.execute(delete(s.subscriber).where(s.subscriber.c.username == user,
                                            s.subscriber.c.domain == dom))
    al = s.sip_aliases
    conn.execute(delete(al).where(al.c.target_username == user,
                                  al.c.target_domain == dom))
    db = s.dbaliases
    conn.execute(delete(db).where(db.c.username == user, db.c.domain == dom))
    conn.execute(delete(s.sip_accounts).where(s.sip_accounts.c.id == row['id']))


def groups_of(conn, s, pairs):
    """{(user, domain): [groups]} for many accounts in one query."""
    out = {p: [] for p in pairs}
    if not pairs:
        return out
    if len(out) == 1:
        (u, d), = out
        out[u, d] = list(conn.execute(_one(s)['groups'],
                                      {'u': u, 'd': d}).scalars())
        return out
    g = s.grp
    domains = {d for _, d in pairs}
    users = {u for u, _ in pairs}
    for u, d, name in conn.execute(
            select(g.c.username, g.c.domain, g.c.grp)
            .where(g.c.domain.in_(domains), g.c.username.in_(users))
            .order_by(g.c.grp)):
        if (u, d) in out:
            out[(u, d)].append(name)
    return out


def digests_of(conn, s, pairs):
    """{(user, domain): 'ha1:ha1b'} for many accounts in one query (what
    addAccount takes instead of a clear text password)."""
    if not pairs:
        return {}
    sub = s.subscriber
    wanted = set(pairs)
    return {(u, d): '%s:%s' % (ha1, ha1b) for u, d, ha1, ha1b in conn.execute(
        select(sub.c.username, sub.c.domain, sub.c.ha1, sub.c.ha1b)
        .where(sub.c.domain.in_({d for _, d in pairs}),
               sub.c.username.in_({u for u, _ in pairs})))
            if (u, d) in wanted}


def ha1_of(conn, s, pairs):
    """{(user, domain): ha1} for many accounts in one query."""
    if not pairs:
        return {}
    if len(set(pairs)) == 1:
        (u, d), = set(pairs)
        ha1 = conn.execute(_one(s)['ha1'], {'u': u, 'd': d}).scalar()
        return {} if ha1 is None else {(u, d): ha1}
    sub = s.subscriber
    wanted = set(pairs)
    return {(u, d): ha1 for u, d, ha1 in conn.execute(
        select(sub.c.username, sub.c.domain, sub.c.ha1)
        .where(sub.c.domain.in_({d for _, d in pairs}),
               sub.c.username.in_({u for u, _ in pairs})))
            if (u, d) in wanted}


def details_of(conn, s, ids):
    """({id: properties}, {id: acl}) for many accounts, two queries."""
    props = {i: [] for i in ids}
    acls = {i: [] for i in ids}
    if len(props) == 1:
        (i,) = props
        one = _one(s)
        props[i] = [{'name': n, 'value': v or ''} for n, v in
                    conn.execute(one['properties'], {'i': i})]
        acls[i] = [{'ip': ip, 'mask': m, 'tag': tag} for ip, m, tag in
                   conn.execute(one['acl'], {'i': i})]
    elif ids:
        p = s.sip_account_properties
        for r in conn.execute(select(p).where(p.c.account_id.in_(ids))
                              .order_by(p.c.id)).mappings():
            props[r['account_id']].append({'name': r['name'],
                                           'value': r['value'] or ''})
        a = s.sip_account_acl
        for r in conn.execute(select(a).where(a.c.account_id.in_(ids))
                              .order_by(a.c.id)).mappings():
            acls[r['account_id']].append({'ip': r['ip'], 'mask': r['mask'],
                                          'tag': r['tag']})
    return props, acls


def in_group(conn, s, username, domain, group):
    g = s.grp
    return conn.execute(select(g.c.id).where(
        g.c.username == username, g.c.domain == domain, g.c.grp == group)
    ).first() is not None


def add_group(conn, s, username, domain, group):
    conn.execute(insert(s.grp).values(username=username, domain=domain,
                                      grp=group, last_modified=now()))
    touch_account(conn, s, username, domain)


def remove_group(conn, s, username, domain, group):
    g = s.grp
    conn.execute(delete(g).where(g.c.username == username,
                                 g.c.domain == domain, g.c.grp == group))
    touch_account(conn, s, username, domain)


def touch_account(conn, s, username, domain):
    a = s.sip_accounts
    conn.execute(update(a).where(a.c.username == username, a.c.domain == domain)
                 .values(change_date=now()))


def in_all_groups(s, groups):
    """WHERE clause: the account is a member of every group listed."""
    a, g = s.sip_accounts, s.grp
    return and_(*[exists().where(g.c.username == a.c.username,
                                 g.c.domain == a.c.domain, g.c.grp == name)
                  for name in groups])
