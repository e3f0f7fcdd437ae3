"""An organization applies online: draft, sections, files, submit, receipt."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from wagtail.models import ModelLogEntry

from applications import services
from applications.models import Application, Attachment, StatusChange
from applications.schema import live_raw_blocks, sections_from
from grants.services import create_organization
from tests.factories import ApplicationFormFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def confirmed_user(**kwargs):
    user = UserFactory(**kwargs)
    user.email_confirmed_at = timezone.now()
    user.save()
    return user


def organization_for(user, name="Northside Healing Collective"):
    return create_organization(
        actor=user,
        legal_name=f"{name} Inc.",
        public_name=name,
        ein="",
        address_line1="2100 Plymouth Ave N",
        city="Minneapolis",
        state="MN",
        postal_code="55411",
        mission="Peer support led by survivors.",
        survivor_led=True,
        contact_name="Amina",
        contact_email=user.email,
        contact_phone="",
    )


@pytest.fixture
def setup():
    form = ApplicationFormFactory()
    user = confirmed_user()
    organization = organization_for(user)
    sections = sections_from(live_raw_blocks(form))
    return {
        "form": form,
        "round": form.funding_round,
        "user": user,
        "organization": organization,
        "sections": sections,
    }


def fill_everything(setup, application):
    user, sections = setup["user"], setup["sections"]
    work, budget = sections[1], sections[2]
    ids = {f.label: f.id for s in sections for f in s.fields}
    services.save_section(
        actor=user,
        application=application,
        section_id="about",
        answers={
            "title": "Peer support circles",
            "amount_requested": Decimal("40000.00"),
        },
        version=0,
    )
    services.save_section(
        actor=user,
        application=application,
        section_id=work.id,
        version=0,
        answers={
            ids[
                "What will you do with the grant?"
            ]: "Weekly peer support circles led by survivors.",
            ids["Who leads the work?"]: "Our peer team",
            ids["How many people will you serve?"]: 60,
            ids["Are people with lived experience on your staff?"]: "yes",
            ids["Main service"]: "Healing",
            ids["Languages you work in"]: ["English", "Somali"],
        },
    )
    services.save_section(
        actor=user,
        application=application,
        section_id=budget.id,
        version=0,
        answers={
            ids["When will the work start?"]: "2027-03-01",
            ids["Budget"]: {
                "rows": [{"item": "Peer stipends", "amount": "30000.00"}],
                "total": "30000.00",
            },
        },
        files={
            ids["Budget document"]: SimpleUploadedFile(
                "budget.pdf", PDF, "application/pdf"
            )
        },
    )
    application.refresh_from_db()
    return application


def test_a_complete_application_is_submitted_with_a_reference_and_an_email(
    setup, mailoutbox, django_capture_on_commit_callbacks
):
    application = services.start_application(
        actor=setup["user"],
        funding_round=setup["round"],
        organization=setup["organization"],
    )
    fill_everything(setup, application)
    with django_capture_on_commit_callbacks(execute=True):
        submitted = services.submit_application(
            actor=setup["user"], application=application
        )
    assert submitted.status == Application.Status.SUBMITTED
    assert submitted.reference == f"{setup['round'].reference_prefix}-0001"
    assert submitted.form_snapshot == live_raw_blocks(setup["form"])
    assert (
        StatusChange.objects.filter(
            application=submitted, to_status="submitted"
        ).count()
        == 1
    )
    assert (
        ModelLogEntry.objects.filter(action="applications.submit_application").count()
        == 1
    )
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert submitted.reference in body
    assert "Peer support circles" not in body  # no application content in email
    assert setup["user"].email in mailoutbox[0].bcc


def test_submission_lists_every_missing_required_answer_and_writes_nothing(setup):
    application = services.start_application(
        actor=setup["user"],
        funding_round=setup["round"],
        organization=setup["organization"],
    )
    with pytest.raises(ValidationError) as error:
        services.submit_application(actor=setup["user"], application=application)
    assert "title" in error.value.message_dict
    assert len(error.value.message_dict) >= 8
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT
    assert application.reference is None


def test_submit_one_second_after_the_deadline_is_refused_and_the_draft_kept(setup):
    application = fill_everything(
        setup,
        services.start_application(
            actor=setup["user"],
            funding_round=setup["round"],
            organization=setup["organization"],
        ),
    )
    late = setup["round"].closes_at + timedelta(seconds=1)
    with pytest.raises(ValidationError) as error:
        services.submit_application(
            actor=setup["user"], application=application, moment=late
        )
    assert error.value.code == "deadline"
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT
    assert application.answers


def test_submit_one_second_before_the_deadline_is_accepted(setup):
    application = fill_everything(
        setup,
        services.start_application(
            actor=setup["user"],
            funding_round=setup["round"],
            organization=setup["organization"],
        ),
    )
    just_in_time = setup["round"].closes_at - timedelta(seconds=1)
    assert services.submit_application(
        actor=setup["user"], application=application, moment=just_in_time
    ).reference


def test_a_second_submit_is_refused_and_keeps_one_submission(setup):
    application = fill_everything(
        setup,
        services.start_application(
            actor=setup["user"],
            funding_round=setup["round"],
            organization=setup["organization"],
        ),
    )
    services.submit_application(actor=setup["user"], application=application)
    with pytest.raises(ValidationError):
        services.submit_application(actor=setup["user"], application=application)
    assert StatusChange.objects.filter(to_status="submitted").count() == 1


def test_people_outside_the_organization_cannot_start_edit_or_submit(setup):
    application = services.start_application(
        actor=setup["user"],
        funding_round=setup["round"],
        organization=setup["organization"],
    )
    outsider = confirmed_user()
    organization_for(outsider, name="Another group")
    with pytest.raises(PermissionDenied):
        services.start_application(
            actor=outsider,
            funding_round=setup["round"],
            organization=setup["organization"],
        )
    with pytest.raises(PermissionDenied):
        services.save_section(
            actor=outsider,
            application=application,
            section_id="about",
            answers={"title": "x"},
            version=0,
        )
    with pytest.raises(PermissionDenied):
        services.submit_application(actor=outsider, application=application)
    application.refresh_from_db()
    assert application.title == ""


def test_unconfirmed_email_cannot_start_an_application(setup):
    setup["user"].email_confirmed_at = None
    setup["user"].save()
    with pytest.raises(ValidationError):
        services.start_application(
            actor=setup["user"],
            funding_round=setup["round"],
            organization=setup["organization"],
        )
    assert not Application.objects.exists()


def test_two_people_saving_the_same_section_get_a_conflict_not_a_silent_overwrite(
    setup,
):
    application = services.start_application(
        actor=setup["user"],
        funding_round=setup["round"],
        organization=setup["organization"],
    )
    services.save_section(
        actor=setup["user"],
        application=application,
        section_id="about",
        answers={"title": "First"},
        version=0,
    )
    with pytest.raises(services.EditConflict):
        services.save_section(
            actor=setup["user"],
            application=application,
            section_id="about",
            answers={"title": "Second"},
            version=0,
        )
    application.refresh_from_db()
    assert application.title == "First"
    services.save_section(
        actor=setup["user"],
        application=application,
        section_id="about",
        answers={"title": "Second"},
        version=1,
    )
    application.refresh_from_db()
    assert application.title == "Second"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "budget.pdf",
            b"<html><script>alert(1)</script></html>",
            "does not look like a PDF",
        ),
        ("budget.exe", b"MZ\x90\x00", "Upload a file of one of these types"),
        ("budget.pdf", PDF + b"0" * (3 * 1024 * 1024), "bigger than 2 MB"),
        ("budget.pdf", b"", "empty"),
    ],
)
def test_hostile_or_oversized_files_are_refused_before_storing(
    setup, name, content, message
):
    application = services.start_application(
        actor=setup["user"],
        funding_round=setup["round"],
        organization=setup["organization"],
    )
    field_id = next(
        f.id for s in setup["sections"] for f in s.fields if f.type == "file"
    )
    budget_section = setup["sections"][2]
    with pytest.raises(ValidationError) as error:
        services.save_section(
            actor=setup["user"],
            application=application,
            section_id=budget_section.id,
            answers={},
            version=0,
            files={field_id: SimpleUploadedFile(name, content)},
        )
    assert message in " ".join(error.value.messages)
    assert not Attachment.objects.exists()


def test_decompression_bomb_png_is_refused_quickly(setup):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (50_000, 50_000)).save(buffer, format="PNG")
    application = services.start_application(
        actor=setup["user"],
        funding_round=setup["round"],
        organization=setup["organization"],
    )
    field_id = next(
        f.id for s in setup["sections"] for f in s.fields if f.type == "file"
    )
    with pytest.raises(ValidationError) as error:
        services.save_section(
            actor=setup["user"],
            application=application,
            section_id=setup["sections"][2].id,
            answers={},
            version=0,
            files={field_id: SimpleUploadedFile("photo.png", buffer.getvalue())},
        )
    assert "too large" in " ".join(error.value.messages)
    assert not Attachment.objects.exists()


def test_hostile_file_name_is_neutralised(setup):
    application = services.start_application(
        actor=setup["user"],
        funding_round=setup["round"],
        organization=setup["organization"],
    )
    field_id = next(
        f.id for s in setup["sections"] for f in s.fields if f.type == "file"
    )
    services.save_section(
        actor=setup["user"],
        application=application,
        section_id=setup["sections"][2].id,
        answers={},
        version=0,
        files={field_id: SimpleUploadedFile("../../etc/<script>\x00budget.pdf", PDF)},
    )
    attachment = Attachment.objects.get()
    assert attachment.original_name == "<script>budget.pdf"
    assert "/" not in attachment.original_name
    assert attachment.file.name.startswith("attachments/")
    assert "budget" not in attachment.file.name


def test_editing_the_form_after_submission_leaves_old_applications_readable(
    setup, program_staff
):
    application = fill_everything(
        setup,
        services.start_application(
            actor=setup["user"],
            funding_round=setup["round"],
            organization=setup["organization"],
        ),
    )
    services.submit_application(actor=setup["user"], application=application)
    snapshot = Application.objects.get(pk=application.pk).form_snapshot
    services.update_application_form(
        actor=program_staff,
        application_form=setup["form"],
        fields=[("section", {"title": "Completely new", "intro": ""})],
    )
    application.refresh_from_db()
    assert application.form_snapshot == snapshot
    assert setup["form"].version == 2
    titles = [s.title for s in sections_from(application.form_snapshot)]
    assert "Your organization's work" in titles


def test_withdraw_before_a_decision(setup):
    application = services.start_application(
        actor=setup["user"],
        funding_round=setup["round"],
        organization=setup["organization"],
    )
    services.withdraw_application(
        actor=setup["user"], application=application, reason="Not this year"
    )
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN
    assert len(mail.outbox) == 0


def _submitted_with_request(setup, program_staff, sections_to_reopen):
    application = fill_everything(
        setup,
        services.start_application(
            actor=setup["user"],
            funding_round=setup["round"],
            organization=setup["organization"],
        ),
    )
    services.submit_application(actor=setup["user"], application=application)
    services.change_status(
        actor=program_staff, application=application, to_status="screening"
    )
    services.request_information(
        actor=program_staff,
        application=application,
        sections=sections_to_reopen,
        message="Please update.",
    )
    application.refresh_from_db()
    return application


def test_answering_a_request_cannot_blank_required_answers(setup, program_staff):
    application = _submitted_with_request(setup, program_staff, ["about"])
    current = application.section_versions["about"]
    services.save_section(
        actor=setup["user"],
        application=application,
        section_id="about",
        answers={"title": "", "amount_requested": None},
        version=current,
    )
    with pytest.raises(ValidationError) as error:
        services.submit_application(actor=setup["user"], application=application)
    assert "title" in error.value.message_dict
    application.refresh_from_db()
    assert application.status == Application.Status.MORE_INFO


def test_answering_a_request_moves_the_application_back_to_screening(
    setup, program_staff
):
    application = _submitted_with_request(setup, program_staff, ["about"])
    services.save_section(
        actor=setup["user"],
        application=application,
        section_id="about",
        answers={
            "title": "Peer circles, updated",
            "amount_requested": Decimal("35000"),
        },
        version=application.section_versions["about"],
    )
    services.submit_application(actor=setup["user"], application=application)
    application.refresh_from_db()
    assert application.status == Application.Status.SCREENING
    assert application.reopened_sections == []


def test_only_reopened_sections_can_change(setup, program_staff):
    application = _submitted_with_request(setup, program_staff, ["about"])
    with pytest.raises(ValidationError):
        services.save_section(
            actor=setup["user"],
            application=application,
            section_id=setup["sections"][1].id,
            answers={},
            version=None,
        )


def test_a_replaced_file_is_removed_from_storage_once_the_new_one_is_saved(
    setup, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    application = services.start_application(
        actor=setup["user"],
        funding_round=setup["round"],
        organization=setup["organization"],
    )
    field_id = next(
        f.id for s in setup["sections"] for f in s.fields if f.type == "file"
    )
    budget = setup["sections"][2].id
    services.save_section(
        actor=setup["user"],
        application=application,
        section_id=budget,
        answers={},
        version=None,
        files={field_id: SimpleUploadedFile("first.pdf", PDF)},
    )
    first_name = Attachment.objects.get().file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.save_section(
            actor=setup["user"],
            application=application,
            section_id=budget,
            answers={},
            version=None,
            files={field_id: SimpleUploadedFile("second.pdf", PDF)},
        )
    assert Attachment.objects.get().original_name == "second.pdf"
    assert not default_storage.exists(first_name)


def test_a_reopened_file_question_uses_the_rules_the_applicant_answered(
    setup, program_staff
):
    application = _submitted_with_request(
        setup, program_staff, [setup["sections"][2].id]
    )
    services.update_application_form(
        actor=program_staff,
        application_form=setup["form"],
        fields=[("section", {"title": "New", "intro": ""})],
    )
    field_id = next(
        f.id for s in setup["sections"] for f in s.fields if f.type == "file"
    )
    services.save_section(
        actor=setup["user"],
        application=application,
        section_id=setup["sections"][2].id,
        answers={},
        version=None,
        files={field_id: SimpleUploadedFile("updated.pdf", PDF)},
    )
    assert Attachment.objects.get(field_id=field_id).original_name == "updated.pdf"
