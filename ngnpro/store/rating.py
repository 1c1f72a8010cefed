"""Rating profiles of subscribers, domains and gateways in CDRTool's
``billing_customers`` (native-schemas B4): the column of the entity's kind
holds its value, the other two are empty, so that CDRTool's rating engine
finds the row as it finds the rows of its own pages."""
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from .sip.accounts import on_account_delete

KINDS = ('subscriber', 'domain', 'gateway')
PROFILE_COLUMNS = ('profile_name1', 'profile_name1_alt', 'profile_name2',
                   'profile_name2_alt', 'timezone')


def _key(s, kind, value):
    b = s.billing_customers
    return [b.c[k] == (value if k == kind else '') for k in KINDS]


def profiles_row(conn, s, kind, value, for_update=False):
    stmt = select(s.billing_customers).where(*_key(s, kind, value))
    if for_update:
        stmt = stmt.with_for_update()
    return conn.execute(stmt).mappings().first()


def set_profiles(conn, s, kind, value, reseller, profiles):
    """Create or replace the entity's row; ``profiles`` maps the
    PROFILE_COLUMNS. increment and min_duration, set on CDRTool's own
    pages, are kept."""
    b = s.billing_customers
    values = dict(profiles, reseller_id=reseller)
    if profiles_row(conn, s, kind, value, for_update=True) is None:
        row = {k: (value if k == kind else '') for k in KINDS}
        try:
            with conn.begin_nested():
                conn.execute(insert(b).values(increment=0, min_duration=0,
                                              **row, **values))
            return
        except IntegrityError:
            pass      # a concurrent call created it meanwhile: replace it
    conn.execute(update(b).where(*_key(s, kind, value)).values(**values))


def delete_profiles(conn, s, kind, value):
    """Whether there was a row to delete."""
    return conn.execute(delete(s.billing_customers)
                        .where(*_key(s, kind, value))).rowcount > 0


@on_account_delete
def _delete_account_profiles(conn, s, username, domain):
    """Profiles of a deleted SIP account (username None: of every account of
    a deleted domain, and the domain's own) go with it: an account created
    later under the same name must not inherit them."""
    b = s.billing_customers
    if username is not None:
        conn.execute(delete(b).where(*_key(s, 'subscriber',
                                           '%s@%s' % (username, domain))))
        return
    # Domain names hold no LIKE wildcard (ngnpro.names: a-z 0-9 - .).
    conn.execute(delete(b).where(b.c.gateway == '', b.c.domain == '',
                                 b.c.subscriber.like('%@' + domain)))
    conn.execute(delete(b).where(*_key(s, 'domain', domain)))
