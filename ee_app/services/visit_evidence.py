"""Evidence of a mystery-shopper visit: the photos and files a shopper attaches to an item.

The shopper adds and removes evidence while the visit is open; each file is checked by its
content (not its name) against :data:`EVIDENCE_TYPES` and the size limits. Whoever may read
the visit may read its evidence (:func:`evidence_content`).
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from ee_app.auth import Actor
from ee_app.errors import N_, NotFound, ValidationError
from ee_app.imports.images import PHOTO_FORMATS, clean_photo
from ee_app.models import ChecklistVersion, VisitEvidence
from ee_app.services import audit
from ee_app.services._tx import transactional
from ee_app.services.visit_filling import own_open_visit
from ee_app.services.visits import EvidenceRow, checklist_of, load_visit

__all__ = [
    "EVIDENCE_TYPES",
    "MAX_EVIDENCE_BYTES",
    "MAX_EVIDENCE_PER_ITEM",
    "add_evidence",
    "evidence_content",
    "remove_evidence",
]


#: A photo or a scanned receipt: enough to see, small enough to keep in the database.
MAX_EVIDENCE_BYTES = 5 * 1024 * 1024


MAX_EVIDENCE_PER_ITEM = 3


#: Accepted evidence, recognised by the file's first bytes rather than its name.
EVIDENCE_TYPES = {
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"%PDF-": "application/pdf",
}


def _evidence_type(data: bytes) -> str | None:
    return next((mime for magic, mime in EVIDENCE_TYPES.items() if data.startswith(magic)), None)


@transactional
def add_evidence(
    session: Session, actor: Actor, visit_id: int, item_id: str, file_name: str, data: bytes
) -> EvidenceRow:
    """Attach a photo (JPEG, PNG) or a PDF receipt to an item that accepts evidence.

    A photo is decoded under a pixel limit and kept as a clean re-encoded copy, without its
    metadata (:func:`ee_app.imports.images.clean_photo`); a PDF is kept as it came. The
    stored ``sha256`` is that of the file as sent, so sending it again keeps one."""
    visit = own_open_visit(session, actor, visit_id)
    checklist = checklist_of(session.get(ChecklistVersion, visit.template_id))
    item = checklist.item(item_id)
    if item is None or not item.evidence:
        raise ValidationError(N_("This item takes no evidence."))
    if len(data) > MAX_EVIDENCE_BYTES:
        raise ValidationError(
            N_("“{file}” is {size} MB; evidence can be at most {limit} MB."),
            file=file_name,
            size=round(len(data) / 2**20, 1),
            limit=MAX_EVIDENCE_BYTES // 2**20,
        )
    mime = _evidence_type(data)
    if mime is None:
        raise ValidationError(N_("“{file}” is not a JPEG or PNG photo or a PDF."), file=file_name)
    # The digest of the file as sent: the page offers the same upload again on every rerun,
    # and it is recognised before the photo is decoded again.
    digest = hashlib.sha256(data).hexdigest()
    existing = session.scalars(
        select(VisitEvidence).where(
            VisitEvidence.visit_id == visit.id, VisitEvidence.item_id == item_id
        )
    ).all()
    same = next((e for e in existing if e.sha256 == digest), None)
    if same is not None:  # the same photo uploaded again: keep one
        return EvidenceRow(same.id, same.item_id, same.file_name, same.mime, same.size)
    if len(existing) >= MAX_EVIDENCE_PER_ITEM:
        raise ValidationError(N_("At most {limit} files per item."), limit=MAX_EVIDENCE_PER_ITEM)
    if mime in PHOTO_FORMATS:
        data = clean_photo(data, mime, file_name).data
    row = VisitEvidence(
        visit_id=visit.id,
        item_id=item_id,
        file_name=file_name[-255:],
        mime=mime,
        size=len(data),
        sha256=digest,
        content=data,
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "visit.evidence", "shop_visit", visit.id, item=item_id)
    return EvidenceRow(row.id, row.item_id, row.file_name, row.mime, row.size)


def _evidence_row(session: Session, actor: Actor, evidence_id: int) -> VisitEvidence:
    """The file, if the actor may see its visit; one answer for "no such file" and "not
    yours", so probing ids tells nothing."""
    row = session.get(VisitEvidence, evidence_id)
    try:
        if row is not None:
            load_visit(session, actor, row.visit_id)
            return row
    except NotFound:
        pass
    raise NotFound(N_("No such file."))


@transactional
def remove_evidence(session: Session, actor: Actor, evidence_id: int) -> None:
    row = _evidence_row(session, actor, evidence_id)
    own_open_visit(session, actor, row.visit_id)
    session.delete(row)
    audit.record(session, actor, "visit.evidence_remove", "shop_visit", row.visit_id)


def evidence_content(session: Session, actor: Actor, evidence_id: int) -> tuple[str, str, bytes]:
    """(file name, MIME type, bytes) of an evidence file of a visit the actor may see."""
    row = _evidence_row(session, actor, evidence_id)
    return row.file_name, row.mime, row.content
