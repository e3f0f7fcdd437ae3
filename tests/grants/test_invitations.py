"""Owners invite colleagues by email; the invited person accepts with the same email."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import get_perms
from wagtail.models import ModelLogEntry

from grants.models import Invitation, Membership
from grants.services import (
    EDITOR_PERMISSIONS,
    OWNER_PERMISSIONS,
    accept_invitation,
    invite_member,
    revoke_invitation,
)
from grants.tasks import send_invitation_email
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

OWNER_CODENAMES = sorted(perm.split(".")[1] for perm in OWNER_PERMISSIONS)
EDITOR_CODENAMES = sorted(perm.split(".")[1] for perm in EDITOR_PERMISSIONS)
URL_PATTERN = re.compile(r"https?://\S+")


def confirmed_user(**kwargs):
    return UserFactory(email_confirmed_at=timezone.now(), **kwargs)


def codenames(user, organization):
    return sorted(get_perms(user, organization))


def accept_url(invitation):
    return reverse("grants:invitation_accept", kwargs={"token": invitation.token})


@pytest.fixture
def owner():
    return confirmed_user(email="owner@collective.example.org")


@pytest.fixture
def organization(owner):
    return OrganizationFactory(
        owner=owner,
        public_name="Northside Healing Collective",
        legal_name="Northside Healing Collective Incorporated",
        mission="A mission that must never appear in an email.",
    )


@pytest.fixture
def invitee():
    return confirmed_user(email="sam@example.org")


def make_invitation(organization, owner, *, email="sam@example.org", **overrides):
    values = {
        "organization": organization,
        "email": email,
        "role": "editor",
        "invited_by": owner,
        "expires_at": timezone.now() + timedelta(days=7),
    }
    values.update(overrides)
    return Invitation.objects.create(**values)


# Inviting and the email ------------------------------------------------------------


def test_invite_email_holds_only_the_link_then_the_invitee_joins_as_editor(
    client,
    owner,
    organization,
    invitee,
    mailoutbox,
    django_capture_on_commit_callbacks,
    settings,
):
    settings.WAGTAILADMIN_BASE_URL = "https://grants.example.org"
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("grants:member_invite", kwargs={"pk": organization.pk}),
            {"email": "Sam@Example.org", "role": "editor"},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "sam@example.org"
    assert invitation.invited_by == owner
    assert (
        timedelta(days=6, hours=23)
        < invitation.expires_at - timezone.now()
        <= timedelta(days=7)
    )

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["sam@example.org"]
    assert message.subject == "Invitation to join Northside Healing Collective"
    links = URL_PATTERN.findall(message.body)
    assert links == [
        f"https://grants.example.org/portal/organizations/invitations/{invitation.token}/"
    ]
    assert "Northside Healing Collective" in message.body
    for secret in (
        owner.email,
        owner.first_name,
        organization.legal_name,
        organization.mission,
        organization.contact_email,
        "editor",
    ):
        assert secret not in message.body
        assert secret not in message.subject
    assert not message.alternatives
    assert not message.attachments

    client.force_login(invitee)
    page = client.get(accept_url(invitation))
    assert page.status_code == 200
    assert b"Join Northside Healing Collective" in page.content
    assert not Membership.objects.filter(user=invitee).exists()
    response = client.post(accept_url(invitation))
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "grants:organization_detail", kwargs={"pk": organization.pk}
    )
    membership = Membership.objects.get(user=invitee)
    assert membership.role == Membership.Role.EDITOR
    assert codenames(invitee, organization) == EDITOR_CODENAMES
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert client.get(response["Location"]).status_code == 200
    actions = set(
        ModelLogEntry.objects.filter(object_id=str(organization.pk)).values_list(
            "action", flat=True
        )
    )
    assert {"grants.invite_member", "grants.accept_invitation"} <= actions


def test_invited_owner_gets_owner_permissions(owner, organization, invitee):
    invitation = invite_member(
        actor=owner, organization=organization, email=invitee.email, role="owner"
    )
    accept_invitation(actor=invitee, token=invitation.token)
    assert codenames(invitee, organization) == OWNER_CODENAMES


def test_no_email_is_sent_when_the_transaction_fails(
    owner, organization, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ValidationError):
            invite_member(
                actor=owner, organization=organization, email="nope", role="editor"
            )
    assert mailoutbox == []
    assert not Invitation.objects.exists()


def test_an_invitation_cancelled_before_sending_is_not_emailed(
    owner, organization, mailoutbox
):
    invitation = make_invitation(organization, owner, revoked_at=timezone.now())
    send_invitation_email.call(invitation_id=invitation.pk)
    assert mailoutbox == []


def test_inviting_a_current_member_is_refused(client, owner, organization):
    member = MembershipFactory(organization=organization, role="editor").user
    with pytest.raises(ValidationError) as error:
        invite_member(
            actor=owner,
            organization=organization,
            email=member.email.upper(),
            role="editor",
        )
    assert "email" in error.value.message_dict
    client.force_login(owner)
    response = client.post(
        reverse("grants:member_invite", kwargs={"pk": organization.pk}),
        {"email": member.email, "role": "owner"},
    )
    assert response.status_code == 200
    assert b"already a member" in response.content
    assert b'href="#id_email"' in response.content
    assert not Invitation.objects.exists()


def test_a_second_pending_invitation_for_the_same_email_is_refused(
    client, owner, organization
):
    make_invitation(organization, owner, email="sam@example.org")
    client.force_login(owner)
    response = client.post(
        reverse("grants:member_invite", kwargs={"pk": organization.pk}),
        {"email": "SAM@example.org", "role": "editor"},
    )
    assert response.status_code == 200
    assert b"already has an invitation waiting" in response.content
    assert Invitation.objects.count() == 1


def test_an_expired_invitation_does_not_block_a_new_one(owner, organization):
    make_invitation(organization, owner, expires_at=timezone.now() - timedelta(days=1))
    invite_member(
        actor=owner, organization=organization, email="sam@example.org", role="editor"
    )
    assert Invitation.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "not-an-email", "role": "editor"}, "email"),
        ({"email": "", "role": "editor"}, "email"),
        ({"email": "sam@example.org", "role": "admin"}, "role"),
        ({"email": "sam@example.org"}, "role"),
    ],
)
def test_bad_invitations_are_explained_and_nothing_is_written(
    client, owner, organization, mailoutbox, data, field
):
    client.force_login(owner)
    response = client.post(
        reverse("grants:member_invite", kwargs={"pk": organization.pk}), data
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert '<div class="error-summary" role="alert"' in html
    assert f'id="id_{field}_error"' in html
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_editors_cannot_invite(client, organization):
    editor = MembershipFactory(organization=organization, role="editor").user
    with pytest.raises(PermissionDenied):
        invite_member(
            actor=editor, organization=organization, email="x@example.org", role="owner"
        )
    client.force_login(editor)
    response = client.post(
        reverse("grants:member_invite", kwargs={"pk": organization.pk}),
        {"email": "x@example.org", "role": "owner"},
    )
    assert response.status_code == 404
    assert not Invitation.objects.exists()


# Accepting ---------------------------------------------------------------------------


def test_accepting_with_a_different_signed_in_email_is_refused_and_writes_nothing(
    client, owner, organization
):
    invitation = make_invitation(organization, owner, email="sam@example.org")
    stranger = confirmed_user(email="someone-else@example.org")
    with pytest.raises(ValidationError) as error:
        accept_invitation(actor=stranger, token=invitation.token)
    assert error.value.code == "wrong_email"

    client.force_login(stranger)
    page = client.get(accept_url(invitation))
    assert b"This invitation is for someone else" in page.content
    assert b"sam@example.org" not in page.content
    assert organization.public_name.encode() not in page.content
    response = client.post(accept_url(invitation))
    assert response.status_code == 200
    assert b"different email address" in response.content

    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not Membership.objects.filter(user=stranger).exists()
    assert get_perms(stranger, organization) == []


def test_email_match_ignores_case(owner, organization):
    invitation = make_invitation(organization, owner, email="sam@example.org")
    person = confirmed_user(email="SAM@EXAMPLE.ORG")
    membership = accept_invitation(actor=person, token=invitation.token)
    assert membership.user == person


@pytest.mark.parametrize(
    "state",
    [
        {"expires_at": timezone.now() - timedelta(minutes=1)},
        {"revoked_at": timezone.now()},
        {"accepted_at": timezone.now()},
    ],
    ids=["expired", "revoked", "used"],
)
def test_expired_revoked_or_used_invitations_are_refused_kindly(
    client, owner, organization, invitee, state
):
    invitation = make_invitation(organization, owner, **state)
    with pytest.raises(ValidationError) as error:
        accept_invitation(actor=invitee, token=invitation.token)
    assert error.value.code == "unusable"
    client.force_login(invitee)
    page = client.get(accept_url(invitation))
    assert page.status_code == 200
    assert b"This invitation link no longer works" in page.content
    response = client.post(accept_url(invitation))
    assert response.status_code == 200
    assert b"Ask the organization for a new one" in response.content
    assert not Membership.objects.filter(user=invitee).exists()
    assert get_perms(invitee, organization) == []


def test_an_unknown_token_is_404(client, invitee):
    client.force_login(invitee)
    response = client.get(
        reverse(
            "grants:invitation_accept",
            kwargs={"token": "00000000-0000-4000-8000-000000000000"},
        )
    )
    assert response.status_code == 404
    with pytest.raises(ValidationError):
        accept_invitation(actor=invitee, token="not-a-token")


def test_a_member_cannot_accept_twice(owner, organization):
    member = MembershipFactory(organization=organization, role="editor").user
    invitation = make_invitation(organization, owner, email=member.email, role="owner")
    with pytest.raises(ValidationError) as error:
        accept_invitation(actor=member, token=invitation.token)
    assert error.value.code == "already_member"
    assert organization.memberships.get(user=member).role == "editor"
    assert codenames(member, organization) == EDITOR_CODENAMES


def test_signed_out_visitors_are_sent_to_sign_in_and_back(
    client, owner, organization, settings
):
    settings.LOGIN_URL = "/accounts/login/"
    invitation = make_invitation(organization, owner)
    response = client.get(accept_url(invitation))
    assert response.status_code == 302
    assert response["Location"] == (
        f"/accounts/login/?next=/portal/organizations/invitations/{invitation.token}/"
    )
    assert client.post(accept_url(invitation)).status_code == 302
    assert not Membership.objects.exclude(user=owner).exists()


# Cancelling -------------------------------------------------------------------------


def test_owner_cancels_an_invitation_and_its_link_stops_working(
    client, owner, organization, invitee
):
    invitation = make_invitation(organization, owner)
    url = reverse(
        "grants:invitation_revoke",
        kwargs={"pk": organization.pk, "invitation_pk": invitation.pk},
    )
    client.force_login(owner)
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert ModelLogEntry.objects.filter(
        object_id=str(organization.pk), action="grants.revoke_invitation"
    ).exists()
    with pytest.raises(ValidationError):
        accept_invitation(actor=invitee, token=invitation.token)
    assert not Membership.objects.filter(user=invitee).exists()


def test_a_used_invitation_cannot_be_cancelled(owner, organization):
    invitation = make_invitation(organization, owner, accepted_at=timezone.now())
    with pytest.raises(ValidationError):
        revoke_invitation(actor=owner, invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_editors_cannot_cancel_invitations(client, owner, organization):
    invitation = make_invitation(organization, owner)
    editor = MembershipFactory(organization=organization, role="editor").user
    with pytest.raises(PermissionDenied):
        revoke_invitation(actor=editor, invitation=invitation)
    client.force_login(editor)
    url = reverse(
        "grants:invitation_revoke",
        kwargs={"pk": organization.pk, "invitation_pk": invitation.pk},
    )
    assert client.post(url).status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_invitation_of_another_organization_cannot_be_cancelled_through_mine(
    client, owner, organization
):
    other = OrganizationFactory(owner=confirmed_user())
    foreign = make_invitation(other, None)
    client.force_login(owner)
    url = reverse(
        "grants:invitation_revoke",
        kwargs={"pk": organization.pk, "invitation_pk": foreign.pk},
    )
    assert client.post(url).status_code == 404
    foreign.refresh_from_db()
    assert foreign.revoked_at is None


def test_pending_invitations_are_shown_to_owners_only(client, owner, organization):
    make_invitation(organization, owner, email="pending@example.org")
    detail = reverse("grants:organization_detail", kwargs={"pk": organization.pk})
    client.force_login(owner)
    assert b"pending@example.org" in client.get(detail).content
    editor = MembershipFactory(organization=organization, role="editor").user
    client.force_login(editor)
    assert b"pending@example.org" not in client.get(detail).content
