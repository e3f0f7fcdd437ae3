"""Reads on the decision side, narrowed to what the person may see."""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from django.db.models.fields.json import KeyTransform, compile_json_path
from django.http import Http404
from django.utils.translation import gettext as _

from applications.models import (
    Application,
    Assignment,
    Attachment,
    ConflictDeclaration,
    Decision,
    Panel,
    PanelMembership,
    PanelRecommendation,
    Review,
    Rubric,
)
from applications.schema import sections_from
from applications.uploads import CONTENT_TYPES
from grants.models import Organization
from portal.models import User
from portal.permissions import can_review, has_perm, visible_to

EXTENSION_BY_TYPE = {content_type: ext for ext, content_type in CONTENT_TYPES.items()}

APPLY_PERM = "grants.apply_for_organization"


def organizations_applying_for(user):
    """Organizations this person may write applications for."""
    return visible_to(user, APPLY_PERM, Organization.objects.all()).order_by(
        "public_name"
    )


def applications_for_applicant(user):
    """Applications of every organization this person belongs to."""
    organizations = organizations_applying_for(user)
    return (
        Application.objects.filter(organization__in=organizations)
        .select_related("funding_round", "organization")
        .order_by("-updated_at")
    )


def application_for_applicant(user, public_id) -> Application:
    """One application the person may work on, or 404 (never a hint that it exists)."""
    try:
        return applications_for_applicant(user).get(public_id=public_id)
    except (Application.DoesNotExist, ValueError) as error:
        raise Http404 from error


def screening_queryset():
    """Applications staff screen: ones that were submitted. Drafts never show."""
    return Application.objects.submitted().select_related(
        "funding_round__fund", "organization"
    )


def application_for_staff(user, pk) -> Application:
    """One submitted application the person may view, or 404 (no existence oracle)."""
    application = screening_queryset().filter(pk=pk).first()
    if application is None or not has_perm(
        user, "applications.view_application", application
    ):
        raise Http404
    return application


# Review panels ------------------------------------------------------------------------


def seats_of(user):
    """The panels this person sits on, with their round."""
    return PanelMembership.objects.filter(
        user_id=user.pk, removed_at__isnull=True
    ).select_related(
        "panel__funding_round", "panel__onboarding_page", "panel__onboarding_document"
    )


def seat_for(user, panel_id) -> PanelMembership:
    """This person's seat on one panel, or 404."""
    seat = seats_of(user).filter(panel_id=panel_id).first()
    if seat is None:
        raise Http404
    return seat


def review_queue(user):
    """What a panelist has to review: assignments with their review and conflict state."""
    declared = ConflictDeclaration.objects.filter(
        panelist_id=user.pk, application_id=OuterRef("application_id")
    )
    return (
        Assignment.objects.filter(
            panelist_id=user.pk, application__status=Application.Status.ELIGIBLE
        )
        .select_related("panel", "review")
        .annotate(declared=Exists(declared))
        .only(
            "pk",
            "due_on",
            "panel__name",
            "panel__blind_review",
            "application__public_id",
            "application__reference",
            "application__title",
            "application__content_note",
            "review__submitted_at",
            "review__updated_at",
            "review__abstained",
        )
        .select_related("application")
        .order_by("due_on", "application__reference")
    )


def assignment_for_panelist(user, public_id) -> Assignment:
    """The person's own assignment on an application, or 404.

    Both the assignment row and the guardian grant must exist: taking an
    application back removes both, and either alone is enough to refuse.
    """
    assignment = (
        Assignment.objects.select_related("panel__funding_round")
        .filter(
            panelist_id=user.pk,
            application__public_id=public_id,
            application__status=Application.Status.ELIGIBLE,
        )
        .first()
    )
    if assignment is None:
        raise Http404
    application = Application(pk=assignment.application_id)
    if not can_review(user, application):
        raise Http404
    return assignment


def has_declared_no_conflict(user, assignment) -> bool:
    return ConflictDeclaration.objects.filter(
        panelist_id=user.pk,
        application_id=assignment.application_id,
        has_conflict=False,
    ).exists()


def conflict_check_facts(assignment) -> dict:
    """All a panelist sees before declaring: the organization's public name."""
    row = (
        Application.objects.filter(pk=assignment.application_id)
        .values("reference", "organization__public_name", "content_note")
        .get()
    )
    return {
        "reference": row["reference"],
        "organization_name": row["organization__public_name"],
        "content_note": row["content_note"],
    }


@dataclass
class ReviewFile:
    id: int
    label: str
    download_name: str
    size: int


@dataclass
class ReviewPacket:
    """What a panelist reads. When blind, hidden answers were never loaded."""

    public_id: str
    reference: str
    title: str
    amount_requested: object
    round_title: str
    content_note: str
    blind: bool
    sections: list = field(default_factory=list)
    files: dict = field(default_factory=dict)  # field id -> ReviewFile
    organization: dict | None = None


class AnswerValue(KeyTransform):
    """One answer read by key, decoded the same way on every database.

    SQLite's JSON_EXTRACT (Django's default) hands text back unquoted, so an answer
    such as "12.50" or "null" would come back as a number or None; the ``->``
    operator (SQLite 3.38+) returns the JSON itself, as PostgreSQL's does.
    """

    def as_sqlite(self, compiler, connection):
        lhs, params, key_transforms = self.preprocess_lhs(compiler, connection)
        return f"({lhs} -> %s)", (*params, compile_json_path(key_transforms))


def _visible_sections(raw_blocks, blind: bool):
    sections = sections_from(raw_blocks)
    if blind:
        for section in sections:
            section.fields = [f for f in section.fields if not f.identifying]
    return [s for s in sections if s.fields]


def review_packet(assignment) -> ReviewPacket:
    """The application as its reviewer may read it, blinded when the panel is blind.

    The blind query asks the database for each visible answer by key, so an answer
    marked identifying (and the organization's names and contacts) never leaves it.
    """
    blind = assignment.panel.blind_review
    base = Application.objects.filter(pk=assignment.application_id)
    head = base.values(
        "public_id",
        "reference",
        "title",
        "amount_requested",
        "content_note",
        "form_snapshot",
        "funding_round__title",
    ).get()
    sections = _visible_sections(head["form_snapshot"] or [], blind)
    wanted = [
        f.id
        for s in sections
        for f in s.fields
        if f.type != "file" and f.id not in {"title", "amount_requested"}
    ]
    if blind:
        aliases = {
            f"answer_{n}": AnswerValue(key, "answers") for n, key in enumerate(wanted)
        }
        row = base.values(**aliases).get() if aliases else {}
        answers = {key: row[f"answer_{n}"] for n, key in enumerate(wanted)}
    else:
        answers = base.values_list("answers", flat=True).get()
    answers = {
        **answers,
        "title": head["title"],
        "amount_requested": head["amount_requested"],
    }
    file_fields = [f.id for s in sections for f in s.fields if f.type == "file"]
    files = {}
    stored = Attachment.objects.filter(
        application_id=assignment.application_id, field_id__in=file_fields
    ).only("pk", "field_id", "content_type", "size")
    by_field = {a.field_id: a for a in stored}
    for number, field_id in enumerate(
        [f for f in file_fields if f in by_field], start=1
    ):
        attachment = by_field[field_id]
        extension = EXTENSION_BY_TYPE.get(attachment.content_type, "bin")
        files[field_id] = ReviewFile(
            id=attachment.pk,
            label=_("Document %(number)s") % {"number": number},
            download_name=f"{head['reference']}-document-{number}.{extension}",
            size=attachment.size,
        )
    packet = ReviewPacket(
        public_id=str(head["public_id"]),
        reference=head["reference"],
        title=head["title"],
        amount_requested=head["amount_requested"],
        round_title=head["funding_round__title"],
        content_note=head["content_note"],
        blind=blind,
        files=files,
    )
    for section in sections:
        packet.sections.append(
            {
                "section": section,
                "rows": [
                    {"field": f, "value": answers.get(f.id), "file": files.get(f.id)}
                    for f in section.fields
                ],
            }
        )
    if not blind:
        packet.organization = (
            Application.objects.filter(pk=assignment.application_id)
            .values(
                "organization__public_name",
                "organization__legal_name",
                "organization__contact_name",
                "organization__contact_email",
            )
            .get()
        )
    return packet


def review_file(assignment, attachment_id) -> tuple[Attachment, str]:
    """One file the reviewer may download, with the name they see; else 404."""
    packet = review_packet(assignment)
    for review_file_ in packet.files.values():
        if review_file_.id == attachment_id:
            attachment = Attachment.objects.only("pk", "file", "content_type").get(
                pk=attachment_id
            )
            return attachment, review_file_.download_name
    raise Http404


def review_of(assignment) -> Review | None:
    return (
        Review.objects.filter(assignment=assignment).prefetch_related("scores").first()
    )


def rubric_for(funding_round_id) -> Rubric | None:
    return (
        Rubric.objects.filter(funding_round_id=funding_round_id)
        .prefetch_related("criteria")
        .first()
    )


def panels_for_chair(user):
    """Panels this person may run deliberation for (staff: every panel)."""
    return visible_to(
        user, "applications.chair_panel", Panel.objects.all()
    ).select_related("funding_round__fund")


def panel_for_chair(user, panel_id) -> Panel:
    panel = panels_for_chair(user).filter(pk=panel_id).first()
    if panel is None:
        raise Http404
    return panel


def recommendations_for(panel) -> dict:
    """The panel's recorded recommendations, by application id."""
    return {
        rec.application_id: rec
        for rec in PanelRecommendation.objects.filter(
            application__funding_round_id=panel.funding_round_id
        )
    }


def conflicted_application_ids(user, funding_round_id) -> set:
    """Applications of the round this person must stay out of deliberating on: a
    declared conflict, or their own organization's."""
    declared = ConflictDeclaration.objects.filter(
        panelist_id=user.pk,
        has_conflict=True,
        application__funding_round_id=funding_round_id,
    ).values_list("application_id", flat=True)
    own = Application.objects.filter(
        funding_round_id=funding_round_id, organization__memberships__user_id=user.pk
    ).values_list("pk", flat=True)
    return set(declared) | set(own)


DELIBERATION_STATUSES = [
    Application.Status.ELIGIBLE,
    Application.Status.AWARDED,
    Application.Status.DECLINED,
    Application.Status.WAITLISTED,
]


def application_for_deliberation(user, panel, public_id) -> Application:
    """An application in review (or decided) in the panel's round that this person
    may deliberate on, or 404."""
    application = (
        Application.objects.filter(
            funding_round_id=panel.funding_round_id, status__in=DELIBERATION_STATUSES
        )
        .filter(public_id=public_id)
        .first()
    )
    if application is None or application.pk in conflicted_application_ids(
        user, panel.funding_round_id
    ):
        raise Http404
    return application


def own_review_pending(user, application) -> bool:
    """True while this person has an assignment on it without a submitted review:
    they should not read the others' reviews before giving their own."""
    return (
        Assignment.objects.filter(panelist_id=user.pk, application=application)
        .exclude(review__submitted_at__isnull=False)
        .exists()
    )


def submitted_reviews_for(panel, application=None):
    """Submitted reviews with their scores, for the chair and staff."""
    reviews = (
        Review.objects.filter(assignment__panel=panel, submitted_at__isnull=False)
        .select_related("assignment__panelist", "assignment__application")
        .prefetch_related("scores__criterion")
        .order_by("assignment__application__reference", "submitted_at")
    )
    if application is not None:
        reviews = reviews.filter(assignment__application=application)
    return reviews


def account_exists(email: str) -> bool:
    return User.objects.filter(email__iexact=email).exists()


@dataclass
class ApplicantDecision:
    outcome: str
    amount: object
    feedback: str


def decision_for_applicant(application) -> ApplicantDecision | None:
    """The decision as the applicant sees it: feedback only when staff approved it,
    and nothing about who reviewed or how each person scored."""
    row = (
        Decision.objects.filter(application_id=application.pk)
        .values("outcome", "amount", "feedback", "feedback_approved")
        .first()
    )
    if row is None:
        return None
    return ApplicantDecision(
        outcome=row["outcome"],
        amount=row["amount"],
        feedback=row["feedback"] if row["feedback_approved"] else "",
    )
