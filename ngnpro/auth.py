"""Who is calling: the auth header -> a Principal (spec §1.5, guide).

* admin credentials come from the configuration and can do everything;
  with impersonate=N (N != 0) the admin acts as customer N;
* customer credentials are checked against the customers table;
* a customer whose id equals its reseller id is a reseller, and so has a
  customer whose ``impersonate`` equals its reseller id: it acts with the
  reseller's rights (and identity) over the reseller's customers.
"""
import dataclasses
import hmac
from dataclasses import dataclass

from sqlalchemy import select

from .faults import AUTH_FAILED, NGNProError
from .names import customer_username


@dataclass(frozen=True)
class Principal:
    name: str
    is_admin: bool = False            # admin credentials, not impersonating
    customer_id: int = 0              # the customer whose rights apply
    reseller_id: int = 0              # that customer's reseller
    is_reseller: bool = False         # rights over every customer of reseller_id
    reseller_active: bool = False     # the reseller may create records
    impersonated: int = 0             # admin acting as this customer id

    def __str__(self):
        return self.name


def authenticate(conn, schema, config, header, client='-', throttle=None):
    """The auth header -> Principal, or fault 100. ``throttle`` (a
    ngnpro.throttle.Throttle) refuses guessing before any check runs and
    counts every failure by username and client address."""
    if header is None or not header.username:
        raise NGNProError(AUTH_FAILED, 'Authentication header missing')
    username = header.username.strip()
    if throttle is not None:
        wait = throttle.refused(username, client)
        if wait:
            raise NGNProError(AUTH_FAILED, 'Too many failed logins: try '
                              'again in %d s' % max(1, round(wait)))
    try:
        principal = _check(conn, schema, config, header)
    except NGNProError:
        if throttle is not None:
            throttle.failed(username, client)
        raise
    if throttle is not None:
        throttle.succeeded(username, client)
    return principal


def _check(conn, schema, config, header):
    password = header.password or ''
    if header.admin:
        if not (_same(header.username, config.admin_username)
                and _same(password, config.admin_password)):
            raise NGNProError(AUTH_FAILED, 'Invalid admin credentials')
        if not header.impersonate:
            return Principal(name=header.username, is_admin=True)
        row = _customer(conn, schema, schema.customers.c.id,
                        header.impersonate)
        if row is None:
            raise NGNProError(AUTH_FAILED, 'Cannot impersonate customer %d: '
                              'no such customer' % header.impersonate)
        return dataclasses.replace(
            _as_customer(row, '%s:%d' % (header.username, row['id'])),
            impersonated=row['id'])
    try:
        login = customer_username(header.username)
    except NGNProError:
        login = None
    row = login and _customer(conn, schema, schema.customers.c.username,
                              login)
    if row is None or not _same(password, row['password']):
        raise NGNProError(AUTH_FAILED, 'Invalid customer credentials')
    return _as_customer(row, login)


def acting_as(conn, schema, config, login):
    """The principal of a login without its password, for the operator's
    own commands (`ngnpro import --as`): ``admin`` (or the configured
    admin username) is the administrator, anything else a customer's
    login; None when there is no such customer."""
    if login in ('admin', config.admin_username):
        return Principal(name=config.admin_username or 'admin',
                         is_admin=True)
    try:
        name = customer_username(login)
    except NGNProError:
        return None
    row = _customer(conn, schema, schema.customers.c.username, name)
    return None if row is None else _as_customer(row, name)


def _same(a, b):
    """Constant-time match; an empty password (an account created without
    one, an unset admin password) never matches."""
    if not a or not b:
        return False
    return hmac.compare_digest(a.encode(), b.encode())


def _customer(conn, schema, column, value):
    """The login's row with its reseller's active flag, in one query."""
    c = schema.customers
    boss = c.alias('boss')
    return conn.execute(
        select(c.c.id, c.c.reseller, c.c.impersonate, c.c.password,
               c.c.reseller_active, boss.c.id.label('boss_id'),
               boss.c.reseller_active.label('boss_active'))
        .select_from(c.outerjoin(boss, boss.c.id == c.c.reseller))
        .where(column == value)).mappings().first()


def _as_customer(row, name):
    reseller = row['reseller']
    if row['id'] == reseller:
        return Principal(name=name, customer_id=row['id'], reseller_id=reseller,
                         is_reseller=True,
                         reseller_active=bool(row['reseller_active']))
    has_boss = row['boss_id'] is not None
    if reseller and row['impersonate'] == reseller and has_boss:
        return Principal(name=name, customer_id=reseller,
                         reseller_id=reseller, is_reseller=True,
                         reseller_active=bool(row['boss_active']))
    # A customer creates records on its reseller's account: only while that
    # reseller is active.
    return Principal(name=name, customer_id=row['id'], reseller_id=reseller,
                     reseller_active=not has_boss or bool(row['boss_active']))
