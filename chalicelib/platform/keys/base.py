"""The table's key scheme: the registry of entity names and global prefixes, and the
partition and id builders every key family uses."""

from __future__ import annotations

ID_WIDTH = 10
OUTBOX_SHARDS = 4
TENANT_PREFIX = "T"

# Partition names under ``T#<tenant>#``, each owned by one feature. A name has no "#": the
# qualifiers of a per-technician or per-endpoint partition follow it after a "#".
ENTITIES: dict[str, str] = {
    "TENANT": "accounts",
    "USER": "accounts",
    "USERNAME": "accounts",
    "SESSION": "accounts",
    "STAFFUSER": "accounts",
    "USEREMAIL": "accounts",
    "USERSESSION": "accounts",
    "PWRESET": "users",
    "INVITEUSER": "users",
    "COUNTER": "platform",
    "EVENT": "platform",
    "IDEMPOTENCY": "platform",
    "ROLLUP": "platform",
    "TECH": "technicians",
    "ITEM": "catalog",
    "ITEMCAT": "catalog",
    "CUST": "customers",
    "CUSTEMAIL": "customers",
    "CUSTSEARCH": "customers",
    "CUSTMERGED": "customers",
    "COMMCFG": "commission",
    "SALE": "sales",
    "SALEDATE": "sales",
    "TECHSALE": "sales",
    "CUSTSALE": "sales",
    "PAYPERIOD": "payperiods",
    "PAYPERIODID": "payperiods",
    "ADJUSTMENT": "payperiods",
    "PAYTOTAL": "payroll",
    "WEBHOOK": "webhooks",
    "WHDELIVERY": "webhooks",
    "JOB": "dispatch",
    "JOBDATE": "dispatch",
    "TECHJOB": "dispatch",
    "JOBHIST": "dispatch",
    "CUSTJOB": "dispatch",
    "DISPATCHEVT": "dispatch",
    "TECHPOS": "dispatch",
    "ZONEJOB": "dispatch",
    "ZONE": "zones",
    "ZONEZIP": "zones",
    "SKILL": "skills",
    "SKILLNAME": "skills",
    "TECHSKILL": "skills",
    "SLA": "sla",
    "SLAVIOL": "sla",
    "SLAVIOLDUE": "sla",
    "SLAVIOLTECH": "sla",
    "FORM": "forms",
    "FORMVER": "forms",
    "FORMREQ": "forms",
    "FORMSUB": "forms",
    "MFA": "mfa",
    "MFACHAL": "mfa",
    "INV": "invoices",
    "INVDUE": "invoices",
    "CUSTINV": "invoices",
    "RECONIMP": "reconciliation",
    "RECONFILE": "reconciliation",
    "RECONROW": "reconciliation",
    "RECONIMPROW": "reconciliation",
    "RECONKEY": "reconciliation",
    "REVIEW": "portal",
    "REVIEWDATE": "portal",
    "TECHREVIEW": "portal",
    "TECHRATING": "portal",
    "SSOLINK": "sso",
    "IMPORT": "imports",
    "IMPORTFILE": "imports",
    "EST": "estimates",
    "ESTVALID": "estimates",
    "CUSTEST": "estimates",
    "CUSTESTNEW": "estimates",
    "COMMLOG": "communications",
    "COMMLOGAT": "communications",
    "CUSTCOMMLOG": "communications",
    "LEAD": "leads",
}
# First segment of the partition key of items that belong to no tenant.
GLOBAL_PREFIXES: dict[str, str] = {
    "BCODE": "accounts",
    "EMAIL": "accounts",
    "OWNERNAME": "accounts",
    "INVITE": "users",
    "RL": "platform",
    "OUTBOX": "platform",
    "SLADUE": "sla",
    "PORTAL": "portal",
    "PORTALEMAIL": "portal",
    "SSO": "sso",
    "CUSTEMAILIDX": "customers",
}


def tenant_pk(tenant_id: str, entity: str, *qualifiers: str) -> str:
    """Partition key of one entity type of one tenant (``qualifiers`` narrow it, e.g. one
    technician's sales)."""
    if entity not in ENTITIES:
        raise ValueError(f"unregistered entity {entity!r}: add it to keys.ENTITIES")
    return "#".join((TENANT_PREFIX, tenant_id, entity, *qualifiers))


def id_sk(numeric_id: int) -> str:
    """Zero-padded so that sort order equals numeric order."""
    return f"{numeric_id:0{ID_WIDTH}d}"
