"""SIP messages of a dialog from Kamailio's sip_trace table (siptrace
module)."""
from sqlalchemy import or_, select


def messages(conn, s, callid, tag, limit):
    """The messages of one Call-ID in the order they were captured; with a
    ``tag`` (the caller's From tag) only that dialog's: requests and replies
    of either direction carry it as From or To tag."""
    t = s.sip_trace
    stmt = select(t).where(t.c.callid == callid)
    if tag:
        stmt = stmt.where(or_(t.c.fromtag == tag, t.c.totag == tag))
    return conn.execute(stmt.order_by(t.c.time_stamp, t.c.time_us, t.c.id)
                        .limit(limit)).mappings().all()
