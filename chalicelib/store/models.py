"""PynamoDB models of the single table. Key values are built only by ``store.keys``."""
from __future__ import annotations

from pynamodb.attributes import (BooleanAttribute, JSONAttribute, ListAttribute,
                                 NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute)

from chalicelib.store.table import BaseItem, register


@register
class TenantItem(BaseItem):
    tenant_id = UnicodeAttribute()
    name = UnicodeAttribute()
    business_code = UnicodeAttribute()
    settings = JSONAttribute(default=dict)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute(null=True)


@register
class BusinessCodeItem(BaseItem):
    tenant_id = UnicodeAttribute()


@register
class UserItem(BaseItem):
    tenant_id = UnicodeAttribute()
    user_id = NumberAttribute()
    username = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    first_name = UnicodeAttribute(null=True)
    last_name = UnicodeAttribute(null=True)
    password_hash = UnicodeAttribute(null=True)
    roles = ListAttribute(of=UnicodeAttribute, default=list)
    technician_id = NumberAttribute(null=True)
    active = BooleanAttribute(default=True)
    failed_logins = NumberAttribute(default=0)
    locked_until = UTCDateTimeAttribute(null=True)
    mfa = JSONAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    last_login_at = UTCDateTimeAttribute(null=True)
    version = NumberAttribute(default=1)

    @property
    def display_name(self) -> str:
        full = " ".join(p for p in (self.first_name, self.last_name) if p)
        return full or self.username


@register
class PointerItem(BaseItem):
    """A uniqueness/lookup item: username, e-mail or owner username -> user."""

    tenant_id = UnicodeAttribute()
    user_id = NumberAttribute()


@register
class SessionItem(BaseItem):
    """A refresh-token family. ``current_jti`` is the only refresh token that may be used."""

    session_id = UnicodeAttribute()
    user_id = NumberAttribute()
    current_jti = UnicodeAttribute()
    revoked = BooleanAttribute(default=False)
    revoked_reason = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    rotated_at = UTCDateTimeAttribute(null=True)


@register
class CounterItem(BaseItem):
    value = NumberAttribute(default=0)


@register
class RateWindowItem(BaseItem):
    hits = NumberAttribute(default=0)


@register
class EventItem(BaseItem):
    tenant_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    data = JSONAttribute()
    created_at = UnicodeAttribute()
