"""Linked provider identities.

Keys (``platform.keys``): the global pointer ``SSO#<provider>#<sub>`` / ``SSO`` (the
tenant and user an identity signs in: one user per identity, so the login needs no
``X-Tenant-Id``) and the user's own ``T#<tid>#SSOLINK#<user id>`` / ``<provider>`` (at
most one identity per provider and user; what unlinking and the list read). The two are
always written and removed together, in one transaction, each under a condition.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.platform import keys
from chalicelib.platform.table import BaseItem, register
from chalicelib.platform.tx import Labelled, labelled_transaction
from chalicelib.sso.rules import PROVIDERS, Identity

IDENTITY, LINK = "sso_identity", "sso_link"


@register
class IdentityItem(BaseItem):
    """Global: a provider identity -> its user."""

    provider = UnicodeAttribute()
    subject = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    user_id = NumberAttribute()
    linked_at = UTCDateTimeAttribute()


@register
class LinkItem(BaseItem):
    """A user's identity at one provider."""

    provider = UnicodeAttribute()
    subject = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    user_id = NumberAttribute()
    email = UnicodeAttribute(null=True)
    linked_at = UTCDateTimeAttribute()


def get_identity(provider: str, subject: str) -> IdentityItem | None:
    return IdentityItem.find(keys.sso_identity_key(provider, subject))


def get_link(tenant_id: str, user_id: int, provider: str) -> LinkItem | None:
    return LinkItem.find(
        keys.sso_link_key(tenant_id, user_id, provider), tenant_id=tenant_id, consistent=True
    )


def links_of(tenant_id: str, user_id: int) -> list[LinkItem]:
    """The user's linked identities (one Query of at most one item per provider)."""
    return [
        item
        for item in LinkItem.query(
            keys.sso_links_pk(tenant_id, user_id), limit=len(PROVIDERS), consistent_read=True
        )
        if item.tenant_id == tenant_id
    ]


def link_in(tx: Labelled, tenant_id: str, user_id: int, identity: Identity, now: datetime) -> None:
    """Link ``identity`` to the user inside the caller's transaction: ``ConditionFailed``
    labelled ``sso_identity`` when the identity is linked already (to anyone), ``sso_link``
    when the user has an identity at that provider already."""
    common: dict[str, Any] = {
        "provider": identity.provider,
        "subject": identity.subject,
        "tenant_id": tenant_id,
        "user_id": user_id,
        "linked_at": now,
    }
    tx.create(
        IDENTITY,
        IdentityItem(*keys.sso_identity_key(identity.provider, identity.subject), **common),
    )
    tx.create(
        LINK,
        LinkItem(
            *keys.sso_link_key(tenant_id, user_id, identity.provider),
            email=identity.email,
            **common,
        ),
    )


def link(tenant_id: str, user_id: int, identity: Identity, now: datetime) -> None:
    with labelled_transaction() as tx:
        link_in(tx, tenant_id, user_id, identity, now)


def unlink(link_item: LinkItem) -> None:
    """Remove the link and its pointer together (``ConditionFailed`` when either changed
    since it was read: another request unlinked it)."""
    tid, uid = str(link_item.tenant_id), int(link_item.user_id)
    pointer = IdentityItem(*keys.sso_identity_key(str(link_item.provider), str(link_item.subject)))
    with labelled_transaction() as tx:
        tx.delete(
            LINK,
            LinkItem(*keys.sso_link_key(tid, uid, str(link_item.provider))),
            condition=LinkItem.subject == str(link_item.subject),
        )
        tx.delete(
            IDENTITY,
            pointer,
            condition=(IdentityItem.tenant_id == tid) & (IdentityItem.user_id == uid),
        )
