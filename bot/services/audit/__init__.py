"""The audit: every RCON attempt and every settings change, who and with what outcome.

- :mod:`.audit_log`: :class:`AuditLog`, rows written before an action runs and completed after.
- :mod:`.masking`: what of arguments and answers is kept (clipped, passwords masked).
- :mod:`.mirror`: :class:`AuditMirror`, the paced queue to the mirror channels.
- :mod:`.export`: the CSV export and the ``since`` of a filter.
"""

from bot.services.audit.audit_log import Actor, AuditListener, AuditLog, AuditTicket, Where, about
from bot.services.audit.export import CSV_COLUMNS, EXPORT_LIMIT, parse_since
from bot.services.audit.masking import MASK, mask_secret_settings
from bot.services.audit.mirror import (
    MIRROR_RETRIES,
    AuditMirror,
    DeniedGroup,
    Dropped,
    MirrorItem,
    MirrorRetry,
    MirrorSender,
    discard_mirror,
)

__all__ = [
    "CSV_COLUMNS",
    "EXPORT_LIMIT",
    "MASK",
    "MIRROR_RETRIES",
    "Actor",
    "AuditListener",
    "AuditLog",
    "AuditMirror",
    "AuditTicket",
    "DeniedGroup",
    "Dropped",
    "MirrorItem",
    "MirrorRetry",
    "MirrorSender",
    "Where",
    "about",
    "discard_mirror",
    "mask_secret_settings",
    "parse_since",
]
