"""Applicants create organizations, change them, remove members and hand over ownership."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import get_perms
from wagtail.log_actions import registry as log_registry
from wagtail.models import ModelLogEntry

from grants.models import Invitation, Membership, Organization
from grants.services import (
    EDITOR_PERMISSIONS,
    OWNER_PERMISSIONS,
    create_organization,
    remove_member,
    transfer_ownership,
    update_organization,
)
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

OWNER_CODENAMES = sorted(perm.split(".")[1] for perm in OWNER_PERMISSIONS)
EDITOR_CODENAMES = sorted(perm.split(".")[1] for perm in EDITOR_PERMISSIONS)
GRANTS_ACTIONS = [
    "grants.create_organization",
    "grants.update_organization",
    "grants.invite_member",
    "grants.revoke_invitation",
    "grants.accept_invitation",
    "grants.remove_member",
    "grants.transfer_ownership",
]


def confirmed_user(**kwargs):
    return UserFactory(email_confirmed_at=timezone.now(), **kwargs)


def organization_values(**overrides):
    values = {
        "legal_name": "Phillips Community Healing Circle",
        "public_name": "Healing Circle",
        "ein": "41-2345678",
        "address_line1": "2400 Park Ave",
        "address_line2": "",
        "city": "Minneapolis",
        "state": "MN",
        "postal_code": "55404",
        "mission": "Survivor-led peer support in Phillips.",
        "survivor_led": True,
        "contact_name": "Ana Flores",
        "contact_email": "ana@healingcircle.example.org",
        "contact_phone": "612-555-0100",
    }
    values.update(overrides)
    return values


def form_data(**overrides):
    data = organization_values(**overrides)
    if data["survivor_led"]:
        data["survivor_led"] = "on"
    else:
        del data["survivor_led"]
    return data


def codenames(user, organization):
    return sorted(get_perms(user, organization))


@pytest.fixture
def owner():
    return confirmed_user()


@pytest.fixture
def organization(owner):
    return OrganizationFactory(owner=owner)


@pytest.fixture
def editor(organization):
    return MembershipFactory(organization=organization, role="editor").user


# Creating ------------------------------------------------------------------------


def test_creator_becomes_owner_with_owner_permissions_and_it_is_logged(owner):
    organization = create_organization(actor=owner, **organization_values())
    membership = Membership.objects.get(organization=organization)
    assert membership.user == owner
    assert membership.role == Membership.Role.OWNER
    assert codenames(owner, organization) == OWNER_CODENAMES
    entry = ModelLogEntry.objects.get(object_id=str(organization.pk))
    assert entry.action == "grants.create_organization"
    assert entry.user == owner


def test_unconfirmed_email_cannot_create_an_organization():
    person = UserFactory(email_confirmed_at=None)
    with pytest.raises(ValidationError) as error:
        create_organization(actor=person, **organization_values())
    assert error.value.code == "email_unconfirmed"
    assert not Organization.objects.exists()
    assert not Membership.objects.exists()


def test_inactive_person_cannot_create_an_organization():
    person = confirmed_user(is_active=False)
    with pytest.raises(PermissionDenied):
        create_organization(actor=person, **organization_values())
    assert not Organization.objects.exists()


def test_service_refuses_fields_it_does_not_own(owner):
    with pytest.raises(TypeError):
        create_organization(
            actor=owner, created_at=timezone.now(), **organization_values()
        )
    assert not Organization.objects.exists()


def test_create_page_creates_the_organization_and_normalises_the_ein(client, owner):
    client.force_login(owner)
    response = client.post(
        reverse("grants:organization_create"),
        form_data(ein="412345678", postal_code="554041234", state="mn"),
    )
    organization = Organization.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "grants:organization_detail", kwargs={"pk": organization.pk}
    )
    assert organization.ein == "41-2345678"
    assert organization.postal_code == "55404-1234"
    assert organization.state == "MN"
    assert codenames(owner, organization) == OWNER_CODENAMES


def test_create_page_asks_an_unconfirmed_person_to_confirm_and_writes_nothing(client):
    person = UserFactory(email_confirmed_at=None)
    client.force_login(person)
    page = client.get(reverse("grants:organization_create"))
    assert b"Confirm your email address first" in page.content
    assert b'name="legal_name"' not in page.content
    response = client.post(reverse("grants:organization_create"), form_data())
    assert response.status_code == 200
    assert b"Confirm your email address before you create" in response.content
    assert not Organization.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("ein", "41-23456", "Enter the EIN as nine digits"),
        ("ein", "AB-CDEFGHI", "Enter the EIN as nine digits"),
        ("postal_code", "5540", "Enter a 5-digit ZIP code"),
        ("contact_email", "not-an-email", "Enter an email address like"),
        ("legal_name", "", "Enter the legal name."),
        ("public_name", "Line one\nLine two", "without line breaks"),
        ("state", "Minnesota", "two letters"),
        ("contact_phone", "call me", "Enter a phone number"),
    ],
)
def test_bad_input_is_explained_next_to_the_field_and_nothing_is_written(
    client, owner, field, value, message
):
    client.force_login(owner)
    response = client.post(
        reverse("grants:organization_create"), form_data(**{field: value})
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert '<div class="error-summary" role="alert"' in html
    assert f'href="#id_{field}"' in html
    assert message in html
    assert f'id="id_{field}_error"' in html
    assert f'aria-describedby="id_{field}_helptext id_{field}_error"' in html or (
        f'aria-describedby="id_{field}_error"' in html
    )
    assert not Organization.objects.exists()


def test_organization_without_ein_is_accepted(client, owner):
    client.force_login(owner)
    client.post(reverse("grants:organization_create"), form_data(ein=""))
    assert Organization.objects.get().ein == ""


def test_crafted_post_cannot_set_fields_the_form_does_not_offer(client, owner):
    client.force_login(owner)
    client.post(
        reverse("grants:organization_create"),
        {**form_data(), "created_at": "2001-01-01 00:00:00", "id": "999"},
    )
    organization = Organization.objects.get()
    assert organization.pk != 999
    assert organization.created_at > timezone.now() - timedelta(minutes=5)


def test_pages_are_not_indexed(client, owner, organization):
    client.force_login(owner)
    response = client.get(
        reverse("grants:organization_detail", kwargs={"pk": organization.pk})
    )
    assert b'<meta name="robots" content="noindex, nofollow">' in response.content


# Reading and changing --------------------------------------------------------------


def test_list_shows_only_my_organizations(client, owner, organization):
    other = OrganizationFactory(public_name="Someone Else's Group")
    client.force_login(owner)
    response = client.get(reverse("grants:organization_list"))
    assert list(response.context["organizations"]) == [organization]
    assert other.public_name.encode() not in response.content


def test_names_with_html_are_escaped_on_the_detail_page(client, owner):
    organization = OrganizationFactory(
        owner=owner,
        public_name="<script>alert('x')</script>",
        legal_name="<b>Bold</b> & Co",
        mission="<img src=x onerror=alert(1)>",
    )
    client.force_login(owner)
    response = client.get(
        reverse("grants:organization_detail", kwargs={"pk": organization.pk})
    )
    html = response.content.decode()
    assert "<script>alert(" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<b>Bold</b>" not in html
    assert "<img src=x" not in html


def test_owner_changes_details_and_it_is_logged(client, owner, organization):
    client.force_login(owner)
    response = client.post(
        reverse("grants:organization_edit", kwargs={"pk": organization.pk}),
        {
            **form_data(public_name="Northside Circle"),
            "created_at": "2001-01-01 00:00:00",
        },
    )
    assert response.status_code == 302
    created_at = organization.created_at
    organization.refresh_from_db()
    assert organization.public_name == "Northside Circle"
    assert organization.created_at == created_at
    assert ModelLogEntry.objects.filter(
        object_id=str(organization.pk), action="grants.update_organization"
    ).exists()


def test_editor_sees_the_organization_but_cannot_change_it(
    client, editor, organization
):
    client.force_login(editor)
    detail = client.get(
        reverse("grants:organization_detail", kwargs={"pk": organization.pk})
    )
    assert detail.status_code == 200
    assert reverse("grants:organization_edit", kwargs={"pk": organization.pk}) not in (
        detail.content.decode()
    )
    assert reverse("grants:member_invite", kwargs={"pk": organization.pk}) not in (
        detail.content.decode()
    )
    name = organization.public_name
    response = client.post(
        reverse("grants:organization_edit", kwargs={"pk": organization.pk}),
        form_data(public_name="Taken over"),
    )
    assert response.status_code == 404
    organization.refresh_from_db()
    assert organization.public_name == name
    with pytest.raises(PermissionDenied):
        update_organization(actor=editor, organization=organization, public_name="X")


def test_owner_sees_every_action_on_the_detail_page(
    client, owner, organization, editor
):
    client.force_login(owner)
    html = client.get(
        reverse("grants:organization_detail", kwargs={"pk": organization.pk})
    ).content.decode()
    for name in ("organization_edit", "member_invite", "ownership_transfer"):
        assert reverse(f"grants:{name}", kwargs={"pk": organization.pk}) in html
    editor_membership = organization.memberships.get(user=editor)
    assert (
        reverse(
            "grants:member_remove",
            kwargs={"pk": organization.pk, "membership_pk": editor_membership.pk},
        )
        in html
    )


# The permission matrix --------------------------------------------------------------


def organization_urls(organization, membership, invitation):
    pk = organization.pk
    return [
        reverse("grants:organization_detail", kwargs={"pk": pk}),
        reverse("grants:organization_edit", kwargs={"pk": pk}),
        reverse("grants:member_invite", kwargs={"pk": pk}),
        reverse(
            "grants:invitation_revoke",
            kwargs={"pk": pk, "invitation_pk": invitation.pk},
        ),
        reverse(
            "grants:member_remove", kwargs={"pk": pk, "membership_pk": membership.pk}
        ),
        reverse("grants:ownership_transfer", kwargs={"pk": pk}),
    ]


@pytest.fixture
def outsider(request):
    kind = request.param
    if kind == "member_of_another_organization":
        return OrganizationFactory(owner=confirmed_user()).memberships.get().user
    if kind == "staff_without_membership":
        return request.getfixturevalue("program_staff")
    return confirmed_user()


@pytest.mark.parametrize(
    "outsider",
    ["member_of_another_organization", "no_membership", "staff_without_membership"],
    indirect=True,
)
def test_outsiders_get_404_on_every_organization_url_and_posts_write_nothing(
    client, outsider, owner, organization, editor
):
    membership = organization.memberships.get(user=editor)
    invitation = Invitation.objects.create(
        organization=organization,
        email="invitee@example.org",
        role="editor",
        invited_by=owner,
        expires_at=timezone.now() + timedelta(days=7),
    )
    # Staff owe a second factor on /portal/; pass it so the 404 is the view's answer.
    login_verified(client, outsider)
    before = {
        "organization": Organization.objects.values().get(pk=organization.pk),
        "memberships": list(Membership.objects.values().order_by("pk")),
        "invitations": list(Invitation.objects.values().order_by("pk")),
        "perms": codenames(owner, organization) + codenames(editor, organization),
        "logs": ModelLogEntry.objects.count(),
    }
    posts = {
        "edit": form_data(public_name="Hijacked"),
        "invite": {"email": "attacker@example.org", "role": "owner"},
        "transfer": {"new_owner": membership.pk},
    }
    detail, *write_urls = organization_urls(organization, membership, invitation)
    assert client.get(detail).status_code == 404
    for url in write_urls:
        assert client.get(url).status_code == 404, url
        for data in posts.values():
            assert client.post(url, data).status_code == 404, url
    listed = client.get(reverse("grants:organization_list")).context["organizations"]
    assert organization not in listed
    after = {
        "organization": Organization.objects.values().get(pk=organization.pk),
        "memberships": list(Membership.objects.values().order_by("pk")),
        "invitations": list(Invitation.objects.values().order_by("pk")),
        "perms": codenames(owner, organization) + codenames(editor, organization),
        "logs": ModelLogEntry.objects.count(),
    }
    assert after == before
    assert get_perms(outsider, organization) == []


def test_anonymous_visitors_are_sent_to_sign_in(client, organization, settings):
    settings.LOGIN_URL = "/accounts/login/"
    url = reverse("grants:organization_detail", kwargs={"pk": organization.pk})
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_unknown_organization_is_404(client, owner):
    client.force_login(owner)
    response = client.get(reverse("grants:organization_detail", kwargs={"pk": 987654}))
    assert response.status_code == 404


def test_applicants_group_holds_no_model_wide_organization_rights(applicant):
    assert not applicant.has_perm("grants.view_organization")
    assert not applicant.has_perm("grants.change_organization")
    assert not applicant.has_perm("grants.manage_members")
    assert not applicant.has_perm("grants.apply_for_organization")


# Removing members and leaving ----------------------------------------------------


def test_removing_a_member_revokes_their_rights_on_the_next_request(
    client, owner, organization, editor
):
    membership = organization.memberships.get(user=editor)
    detail = reverse("grants:organization_detail", kwargs={"pk": organization.pk})
    client.force_login(editor)
    assert client.get(detail).status_code == 200

    remove_member(actor=owner, membership=membership)

    assert client.get(detail).status_code == 404
    assert get_perms(editor, organization) == []
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert ModelLogEntry.objects.filter(
        object_id=str(organization.pk), action="grants.remove_member"
    ).exists()


def test_owner_removes_a_member_through_the_page(client, owner, organization, editor):
    membership = organization.memberships.get(user=editor)
    url = reverse(
        "grants:member_remove",
        kwargs={"pk": organization.pk, "membership_pk": membership.pk},
    )
    client.force_login(owner)
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert get_perms(editor, organization) == []


def test_last_owner_cannot_be_removed_or_leave(client, owner, organization, editor):
    own = organization.memberships.get(user=owner)
    with pytest.raises(ValidationError) as error:
        remove_member(actor=owner, membership=own)
    assert error.value.code == "last_owner"
    client.force_login(owner)
    response = client.post(
        reverse(
            "grants:member_remove",
            kwargs={"pk": organization.pk, "membership_pk": own.pk},
        )
    )
    assert response.status_code == 200
    assert b"at least one owner" in response.content
    assert Membership.objects.filter(pk=own.pk, role="owner").exists()
    assert codenames(owner, organization) == OWNER_CODENAMES


def test_an_owner_may_leave_when_another_owner_remains(owner, organization):
    second_owner = MembershipFactory(organization=organization, role="owner").user
    remove_member(actor=owner, membership=organization.memberships.get(user=owner))
    assert list(organization.memberships.values_list("user", flat=True)) == [
        second_owner.pk
    ]
    assert get_perms(owner, organization) == []


def test_editor_leaves_and_lands_on_their_list(client, organization, editor):
    membership = organization.memberships.get(user=editor)
    client.force_login(editor)
    response = client.post(
        reverse(
            "grants:member_remove",
            kwargs={"pk": organization.pk, "membership_pk": membership.pk},
        )
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("grants:organization_list")
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert get_perms(editor, organization) == []


def test_editor_cannot_remove_someone_else(client, owner, organization, editor):
    other_editor = MembershipFactory(organization=organization, role="editor")
    with pytest.raises(PermissionDenied):
        remove_member(actor=editor, membership=other_editor)
    client.force_login(editor)
    for target in (other_editor, organization.memberships.get(user=owner)):
        url = reverse(
            "grants:member_remove",
            kwargs={"pk": organization.pk, "membership_pk": target.pk},
        )
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    assert organization.memberships.count() == 3


def test_membership_of_another_organization_cannot_be_removed_through_mine(
    client, owner, organization
):
    elsewhere = MembershipFactory(role="editor")
    client.force_login(owner)
    response = client.post(
        reverse(
            "grants:member_remove",
            kwargs={"pk": organization.pk, "membership_pk": elsewhere.pk},
        )
    )
    assert response.status_code == 404
    assert Membership.objects.filter(pk=elsewhere.pk).exists()


# Handing over ownership -----------------------------------------------------------


def test_transfer_ownership_swaps_roles_and_permissions(owner, organization, editor):
    target = organization.memberships.get(user=editor)
    transfer_ownership(actor=owner, organization=organization, to_membership=target)
    roles = dict(organization.memberships.values_list("user", "role"))
    assert roles == {owner.pk: "editor", editor.pk: "owner"}
    assert codenames(editor, organization) == OWNER_CODENAMES
    assert codenames(owner, organization) == EDITOR_CODENAMES
    assert ModelLogEntry.objects.filter(
        object_id=str(organization.pk), action="grants.transfer_ownership"
    ).exists()


def test_transfer_through_the_page_then_the_old_owner_cannot_manage(
    client, owner, organization, editor
):
    target = organization.memberships.get(user=editor)
    url = reverse("grants:ownership_transfer", kwargs={"pk": organization.pk})
    client.force_login(owner)
    page = client.get(url)
    assert page.status_code == 200
    assert owner.email.encode() not in page.content
    response = client.post(url, {"new_owner": target.pk})
    assert response.status_code == 302
    assert client.get(url).status_code == 404
    assert (
        client.get(
            reverse("grants:member_invite", kwargs={"pk": organization.pk})
        ).status_code
        == 404
    )
    target.refresh_from_db()
    assert target.role == "owner"


def test_editor_cannot_transfer_ownership(client, owner, organization, editor):
    target = organization.memberships.get(user=editor)
    with pytest.raises(PermissionDenied):
        transfer_ownership(
            actor=editor, organization=organization, to_membership=target
        )
    client.force_login(editor)
    url = reverse("grants:ownership_transfer", kwargs={"pk": organization.pk})
    assert client.post(url, {"new_owner": target.pk}).status_code == 404
    assert organization.memberships.get(user=owner).role == "owner"


def test_ownership_cannot_go_to_someone_outside_the_organization(
    client, owner, organization
):
    elsewhere = MembershipFactory(role="editor")
    with pytest.raises(ValidationError):
        transfer_ownership(
            actor=owner, organization=organization, to_membership=elsewhere
        )
    client.force_login(owner)
    response = client.post(
        reverse("grants:ownership_transfer", kwargs={"pk": organization.pk}),
        {"new_owner": elsewhere.pk},
    )
    assert response.status_code == 200
    assert b"Choose one of the members listed." in response.content
    elsewhere.refresh_from_db()
    assert elsewhere.role == "editor"
    assert organization.memberships.get(user=owner).role == "owner"
    assert get_perms(elsewhere.user, organization) == []


# Audit log --------------------------------------------------------------------------


@pytest.mark.parametrize("action", GRANTS_ACTIONS)
def test_every_organization_action_is_registered_for_the_audit_log(action):
    assert log_registry.action_exists(action)


def test_factories_match_the_services(organization, owner):
    # A factory-made member holds exactly what an invited one would: tests of
    # applications rely on it.
    editor = MembershipFactory(organization=organization).user
    assert codenames(owner, organization) == OWNER_CODENAMES
    assert codenames(editor, organization) == EDITOR_CODENAMES
