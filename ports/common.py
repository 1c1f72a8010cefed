"""Small helpers every port uses on decoded arguments."""
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError

from ngnpro import rights
from ngnpro.faults import NGNProError, invalid
from ngnpro.store.query import page


@contextmanager
def unique(code, message):
    """An insert whose key another call took between our existence check and
    the insert (the loser of a race) answers the same fault as the check."""
    try:
        yield
    except IntegrityError:
        raise NGNProError(code, message)


def members_of(obj, members):
    """A decoded struct -> {member: value} (None when absent)."""
    return {m: getattr(obj, m, None) for m in members}


def owner(call, value):
    """The ``owner`` member of a record, checked for the caller."""
    return rights.owner_id(call.conn, call.schema, call.principal, value)


def check_array(call, items, name):
    """None -> []; refuse arrays longer than the configured maximum."""
    items = list(items or ())
    if len(items) > call.config.max_array_length:
        raise invalid('%s has %d items, more than the maximum of %d'
                      % (name, len(items), call.config.max_array_length))
    return items


def search(call, listing, query, scope=None):
    """A get*s query through the one query layer, limited to what the caller
    may see (by default the listed table's customer/reseller columns)."""
    if scope is None:
        c = listing.source.c
        scope = rights.scope(call.principal, c.customer, c.reseller)
    return page(call.conn, listing, query, scope, call.config.max_page_size)


def service(name, operations):
    """A spyne service from a table of (operation, handler, [(argument,
    type), ...], return type or None). Each operation calls
    handler(call, *arguments), ``call`` being the unit of work's context
    (ngnpro.dispatch.Call); argument names are the wire names."""
    from spyne import ServiceBase, rpc

    methods = {}
    for operation, handler, arguments, returns in operations:
        def method(ctx, *values, _handler=handler):
            return _handler(ctx.udc, *values)
        method.__name__ = method.__qualname__ = operation
        methods[operation] = rpc(*[t for _, t in arguments],
                                 _args=[a for a, _ in arguments],
                                 _returns=returns)(method)
    return type(name, (ServiceBase,), methods)
