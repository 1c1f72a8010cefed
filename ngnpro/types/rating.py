"""Rating port types (spec §3.8), sized as CDRTool's billing_customers."""
from .common import String, limited, struct

Profile = limited(String, max_len=25)

RatingEntityProfiles = struct('RatingEntityProfiles', [
    ('entity', String), ('profileWeekday', Profile),
    ('profileWeekdayAlt', Profile), ('profileWeekend', Profile),
    ('profileWeekendAlt', Profile),
    ('timezone', limited(String, max_len=128))])
