"""Small helpers every port uses on decoded arguments."""
from ngnpro.faults import invalid


def members_of(obj, members):
    """A decoded struct -> {member: value} (None when absent)."""
    return {m: getattr(obj, m, None) for m in members}


def check_array(call, items, name):
    """None -> []; refuse arrays longer than the configured maximum."""
    items = list(items or ())
    if len(items) > call.config.max_array_length:
        raise invalid('%s has %d items, more than the maximum of %d'
                      % (name, len(items), call.config.max_array_length))
    return items


def required_text(value, name):
    value = (value or '').strip()
    if not value:
        raise invalid('%s is required' % name)
    return value
