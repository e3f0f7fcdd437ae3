"""Subject access: a copy of everything an organization gave us, for its owners.

The copy is a ZIP of ``data.json`` and the files the organization uploaded, made in
the background. It holds the organization's own words, files, grants, payments and
reports, and what the grants team sent it. It never holds panelists' identities,
their reviews or scores, staff notes, or anything about another organization.
"""

import json
import re
import shutil
import tempfile
import zipfile
from functools import partial

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from applications.models import Application, DataExport
from grants.models import Award, HiringReport, Invitation, Membership, Organization
from grants.services.organizations import (
    ORGANIZATION_FIELDS as EDITABLE_ORGANIZATION_FIELDS,
)
from portal.permissions import can_request_data_export

ORGANIZATION_FIELDS = [*EDITABLE_ORGANIZATION_FIELDS, "created_at"]
APPLICATION_FIELDS = [
    "reference",
    "status",
    "title",
    "amount_requested",
    "answers",
    "created_at",
    "submitted_at",
    "personal_data_removed_at",
]
AWARD_FIELDS = [
    "public_title",
    "public_summary",
    "amount",
    "starts_on",
    "ends_on",
    "conditions",
    "status",
    "agreement_text",
    "signer_name",
    "accepted_at",
    "ended_reason",
    "ended_at",
    "awarded_at",
]
COMMITMENT_FIELDS = [
    "status",
    "entry_positions",
    "professional_positions",
    "leadership_positions",
    "board_positions",
    "wage_floor",
    "target_date",
    "supports",
    "other_supports",
    "confirmed_at",
]
REPORT_FIELDS = [
    "number",
    "period_start",
    "period_end",
    "due_on",
    "status",
    "entry_filled",
    "professional_filled",
    "leadership_filled",
    "board_filled",
    "retained_6_months",
    "retained_12_months",
    "at_or_above_wage_floor",
    "barriers",
    "support_needed",
    "over_commitment_explanation",
    "staff_comment",
    "submitted_at",
    "verified_at",
]
README = """\
A copy of the information {name} gave the survivor-led grants programme.

data.json      the organization's details, members, applications (answers, status
               changes, questions from the grants team and decisions), grants,
               payments and progress reports
files/         the files uploaded with each application, by application reference

Reviews by panel members, their names and staff notes are not included. To ask for
a correction or for deletion, reply to the grants team or call 311.
Made on {made}.
"""


def _fields(instance, names) -> dict:
    return {name: getattr(instance, name) for name in names}


@transaction.atomic
def request_data_export(*, actor, organization: Organization) -> DataExport:
    """Start a copy for an owner; one being prepared already is returned as is."""
    if not can_request_data_export(actor, organization):
        raise PermissionDenied("request data export")
    Organization.objects.select_for_update().get(pk=organization.pk)
    pending = organization.data_exports.filter(status=DataExport.Status.PENDING)
    if pending.exists():
        return pending.first()
    export = DataExport.objects.create(organization=organization, requested_by=actor)
    log(instance=export, action="privacy.request_data_export", user=actor)
    from applications.tasks import build_data_export

    transaction.on_commit(partial(build_data_export.enqueue, export_id=export.pk))
    return export


def organization_data(organization: Organization) -> tuple[dict, list]:
    """The organization's data as JSON-ready values, and its files as
    (path in the ZIP, stored file) pairs."""
    files = []
    applications = []
    for application in (
        Application.objects.filter(organization=organization)
        .select_related("funding_round", "decision")
        .prefetch_related("status_changes", "information_requests", "attachments")
        .order_by("created_at", "pk")
    ):
        folder = application.reference or f"draft-{application.pk}"
        entry = _fields(application, APPLICATION_FIELDS)
        entry["round"] = application.funding_round.title
        entry["status_history"] = [
            {
                "from": change.from_status,
                "to": change.to_status,
                "at": change.created_at,
                "reason": change.reason,
            }
            for change in application.status_changes.all()
        ]
        entry["questions_from_the_grants_team"] = [
            {
                "message": item.message,
                "asked_at": item.requested_at,
                "answered_at": item.answered_at,
            }
            for item in application.information_requests.all()
        ]
        decision = getattr(application, "decision", None)
        entry["decision"] = (
            {
                "outcome": decision.outcome,
                "feedback": decision.feedback,
                "decided_at": decision.decided_at,
            }
            if decision
            else None
        )
        entry["files"] = []
        for number, attachment in enumerate(application.attachments.all(), 1):
            path = f"files/{folder}/{number}-{_safe_name(attachment.original_name)}"
            files.append((path, attachment.file))
            entry["files"].append(
                {
                    "question": attachment.field_id,
                    "name": attachment.original_name,
                    "in_this_zip": path,
                    "size": attachment.size,
                    "uploaded_at": attachment.uploaded_at,
                }
            )
        applications.append(entry)
    data = {
        "organization": _fields(organization, ORGANIZATION_FIELDS),
        "members": [
            {
                "name": member.user.get_full_name(),
                "email": member.user.email,
                "role": member.role,
                "joined_at": member.joined_at,
            }
            for member in Membership.objects.filter(organization=organization)
            .select_related("user")
            .order_by("joined_at", "pk")
        ],
        "invitations": list(
            Invitation.objects.filter(organization=organization)
            .order_by("created_at", "pk")
            .values("email", "role", "created_at", "expires_at", "accepted_at")
        ),
        "applications": applications,
        "grants": [_award_data(award) for award in _awards_of(organization)],
    }
    return data, files


def _awards_of(organization):
    return (
        Award.objects.filter(organization=organization)
        .select_related("funding_round")
        .prefetch_related("installments", "disbursements")
        .order_by("awarded_at", "pk")
    )


def _award_data(award: Award) -> dict:
    entry = _fields(award, AWARD_FIELDS)
    entry["round"] = award.funding_round.title
    entry["installments"] = [
        {"number": item.number, "due_on": item.due_on, "amount": item.amount}
        for item in award.installments.all()
    ]
    entry["payments"] = [
        {
            "amount": payment.amount,
            "method": payment.method,
            "status": payment.status,
            "reference": payment.reference,
            "paid_on": payment.paid_on,
        }
        for payment in award.disbursements.all()
    ]
    commitment = getattr(award, "hiring_commitment", None)
    entry["hiring_commitment"] = (
        _fields(commitment, COMMITMENT_FIELDS) if commitment else None
    )
    entry["progress_reports"] = [
        {
            **_fields(report, REPORT_FIELDS),
            "people_served": {
                count.service_type: count.people_served
                for count in report.service_counts.all()
            },
            "history": [
                {"action": event.action, "at": event.at, "comment": event.comment}
                for event in report.events.all()
            ],
        }
        for report in HiringReport.objects.filter(award=award)
        .prefetch_related("service_counts", "events")
        .order_by("number")
    ]
    return entry


def _safe_name(name: str) -> str:
    """A file name that is safe inside a ZIP on any system."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-")
    return cleaned[:100] or "file"


def build_data_export(*, export: DataExport) -> DataExport:
    """Write the ZIP for a requested copy and mark it ready (or failed)."""
    organization = export.organization
    data, files = organization_data(organization)
    data["made_at"] = timezone.now()
    with tempfile.TemporaryFile() as spool:
        with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(
                "README.txt",
                README.format(
                    name=organization.public_name,
                    made=timezone.now().date().isoformat(),
                ),
            )
            archive.writestr(
                "data.json", json.dumps(data, cls=DjangoJSONEncoder, indent=2)
            )
            for path, stored in files:
                with stored.open("rb") as source, archive.open(path, "w") as target:
                    shutil.copyfileobj(source, target, 1 << 20)
        size = spool.tell()
        spool.seek(0)
        export.file.save(f"{export.pk}.zip", File(spool), save=False)
    DataExport.objects.filter(pk=export.pk).update(
        file=export.file.name,
        size=size,
        status=DataExport.Status.READY,
        ready_at=timezone.now(),
    )
    export.refresh_from_db()
    return export


def mark_data_export_failed(*, export_id: int) -> None:
    """The owner sees that this copy could not be made and may ask again."""
    DataExport.objects.filter(pk=export_id).update(status=DataExport.Status.FAILED)


def record_data_export_download(*, actor, export: DataExport) -> None:
    """Audit a download of a copy (the view checks who may)."""
    if not can_request_data_export(actor, export.organization):
        raise PermissionDenied("download data export")
    log(instance=export, action="privacy.download_data_export", user=actor)
