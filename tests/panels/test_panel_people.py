"""The people on a panel: invitations, joining, pauses, hours, stipends and rights."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.models import (
    Application,
    Assignment,
    ConflictDeclaration,
    HoursEntry,
    Panel,
    PanelInvitation,
    PanelMembership,
    Review,
    Score,
)
from grants.models import Stipend
from portal import roles
from portal.models import User
from portal.permissions import can_chair, visible_to
from tests.factories import UserFactory
from tests.panels.helpers import (
    application_for,
    assign,
    log_entries,
    make_panel,
    ready_to_review,
    scores_for,
    seat,
    submit_review,
)

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-memorable-passphrase"


@pytest.fixture
def panel():
    panel, _form, _rubric = make_panel()
    return panel


@pytest.fixture
def panel_chair(panel):
    return seat(panel, role="chair", user=UserFactory()).user


def invite(actor, panel, email="new.panelist@example.org", role="panelist", **values):
    values.setdefault("stipend_rate", Decimal("37.50"))
    return services.invite_panel_member(
        actor=actor, panel=panel, email=email, role=role, **values
    )


# Invitations ---------------------------------------------------------------------------


def test_program_staff_invite_and_the_email_carries_the_accept_link(
    panel, program_staff, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(program_staff, panel, email="  New.Panelist@Example.org ")

    assert invitation.email == "new.panelist@example.org"
    assert invitation.invited_by == program_staff
    assert invitation.is_usable()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["new.panelist@example.org"]
    link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(
        "applications:panel_invitation", kwargs={"token": invitation.token}
    )
    assert link in message.body
    assert log_entries("applications.invite_panel_member", panel).count() == 1


@pytest.mark.parametrize(
    "role", ["panelist", "panel_chair", "finance_officer", "applicant"]
)
def test_only_program_staff_invite(
    request, panel, mailoutbox, django_capture_on_commit_callbacks, role
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(PermissionDenied):
            invite(request.getfixturevalue(role), panel)

    assert not PanelInvitation.objects.exists()
    assert mailoutbox == []


def test_inviting_someone_already_on_the_panel_is_refused(panel, program_staff):
    member = seat(panel, user=UserFactory(email="already@example.org")).user

    with pytest.raises(ValidationError) as error:
        invite(program_staff, panel, email="Already@Example.org")

    assert error.value.message_dict == {
        "email": ["This person is already on the panel."]
    }
    assert not PanelInvitation.objects.exists()
    assert panel.members.get().user == member


def test_reinviting_revokes_the_earlier_pending_invitation(panel, program_staff):
    first = invite(program_staff, panel, role="panelist")

    second = invite(program_staff, panel, role="chair", stipend_rate=Decimal("45.00"))

    first.refresh_from_db()
    assert first.revoked_at is not None
    assert second.is_usable()
    usable = [i for i in PanelInvitation.objects.all() if i.is_usable()]
    assert usable == [second]
    with pytest.raises(ValidationError) as error:
        services.accept_panel_invitation(
            actor=None, token=first.token, password=PASSWORD
        )
    assert error.value.code == "unusable"


# Accepting ---------------------------------------------------------------------------


def test_accepting_without_an_account_creates_a_confirmed_panelist(
    panel, program_staff
):
    invitation = invite(program_staff, panel, stipend_rate=Decimal("37.50"))

    membership = services.accept_panel_invitation(
        actor=None, token=invitation.token, password=PASSWORD, first_name=" Amina "
    )

    user = User.objects.get(email="new.panelist@example.org")
    assert membership.user == user
    assert user.email_confirmed_at is not None
    assert user.first_name == "Amina"
    assert user.check_password(PASSWORD)
    assert list(user.groups.values_list("name", flat=True)) == [roles.PANELISTS]
    assert (membership.panel, membership.role) == (panel, "panelist")
    assert membership.stipend_rate == Decimal("37.50")
    assert not can_chair(user, panel)
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert log_entries("applications.join_panel", panel).get().user_id == user.pk


def test_accepting_a_chair_invitation_grants_chairing_this_panel_only(
    panel, program_staff
):
    other_panel, _form, _rubric = make_panel()
    invitation = invite(
        program_staff, panel, role="chair", stipend_rate=Decimal("55.00")
    )

    membership = services.accept_panel_invitation(
        actor=AnonymousUser(), token=invitation.token, password=PASSWORD
    )

    user = membership.user
    assert user.email_confirmed_at is not None
    assert list(user.groups.values_list("name", flat=True)) == [roles.PANEL_CHAIRS]
    assert (membership.role, membership.stipend_rate) == ("chair", Decimal("55.00"))
    assert can_chair(user, panel)
    assert not can_chair(user, other_panel)


def test_a_signed_in_person_accepts_with_their_own_address(panel, program_staff):
    person = UserFactory(email="new.panelist@example.org", roles=[roles.APPLICANTS])
    invitation = invite(program_staff, panel)

    membership = services.accept_panel_invitation(actor=person, token=invitation.token)

    assert membership.user == person
    assert set(person.groups.values_list("name", flat=True)) == {
        roles.APPLICANTS,
        roles.PANELISTS,
    }


def assert_nobody_joined(panel, invitation=None):
    assert not panel.members.exists()
    if invitation is not None:
        invitation.refresh_from_db()
        assert invitation.accepted_at is None


def test_a_used_invitation_cannot_be_used_again(panel, program_staff):
    invitation = invite(program_staff, panel)
    services.accept_panel_invitation(
        actor=None, token=invitation.token, password=PASSWORD
    )

    with pytest.raises(ValidationError) as error:
        services.accept_panel_invitation(
            actor=None, token=invitation.token, password=PASSWORD
        )

    assert error.value.code == "unusable"
    assert panel.members.count() == 1
    assert User.objects.filter(email=invitation.email).count() == 1


def test_an_expired_invitation_is_refused(panel, program_staff):
    invitation = invite(
        program_staff, panel, moment=timezone.now() - timedelta(days=15)
    )

    with pytest.raises(ValidationError) as error:
        services.accept_panel_invitation(
            actor=None, token=invitation.token, password=PASSWORD
        )

    assert error.value.code == "unusable"
    assert_nobody_joined(panel, invitation)
    assert not User.objects.filter(email=invitation.email).exists()


def test_a_revoked_invitation_is_refused(panel, program_staff):
    invitation = invite(program_staff, panel)
    services.revoke_panel_invitation(actor=program_staff, invitation=invitation)

    with pytest.raises(ValidationError) as error:
        services.accept_panel_invitation(
            actor=None, token=invitation.token, password=PASSWORD
        )

    assert error.value.code == "unusable"
    assert_nobody_joined(panel, invitation)
    assert not User.objects.filter(email=invitation.email).exists()


def test_an_unknown_token_is_refused(panel):
    with pytest.raises(ValidationError) as error:
        services.accept_panel_invitation(
            actor=None, token=uuid.uuid4(), password=PASSWORD
        )

    assert error.value.code == "unusable"
    assert_nobody_joined(panel)


@pytest.mark.parametrize("visitor", [None, AnonymousUser()])
def test_an_anonymous_visitor_whose_address_has_an_account_must_sign_in(
    panel, program_staff, visitor
):
    existing = UserFactory(email="new.panelist@example.org")
    invitation = invite(program_staff, panel)

    with pytest.raises(ValidationError) as error:
        services.accept_panel_invitation(
            actor=visitor, token=invitation.token, password=PASSWORD
        )

    assert error.value.code == "sign_in"
    assert_nobody_joined(panel, invitation)
    existing.refresh_from_db()
    assert existing.check_password("a-long-test-password")
    assert not existing.groups.exists()


def test_someone_signed_in_with_another_address_is_refused(panel, program_staff):
    someone_else = UserFactory(email="someone.else@example.org")
    invitation = invite(program_staff, panel, role="chair")

    with pytest.raises(ValidationError) as error:
        services.accept_panel_invitation(actor=someone_else, token=invitation.token)

    assert error.value.code == "wrong_email"
    assert_nobody_joined(panel, invitation)
    assert not someone_else.groups.exists()
    assert not can_chair(someone_else, panel)


# Pausing and logging hours -----------------------------------------------------------


@pytest.fixture
def membership(panel):
    return seat(panel, user=UserFactory())


@pytest.fixture
def other_panelist(panel):
    return seat(panel, user=UserFactory()).user


def test_a_panelist_pauses_and_resumes_their_own_reviewing(membership):
    paused = services.pause_reviewing(actor=membership.user, membership=membership)

    assert paused.paused_at is not None
    assert PanelMembership.objects.get(pk=membership.pk).is_paused
    resumed = services.resume_reviewing(actor=membership.user, membership=membership)
    assert resumed.paused_at is None
    assert not PanelMembership.objects.get(pk=membership.pk).is_paused
    assert log_entries("applications.pause_reviewing").count() == 1
    assert log_entries("applications.resume_reviewing").count() == 1


@pytest.mark.parametrize(
    "role", ["other_panelist", "panel_chair", "program_staff", "applicant"]
)
def test_nobody_else_pauses_or_resumes_a_seat(request, membership, role):
    actor = request.getfixturevalue(role)

    with pytest.raises(PermissionDenied):
        services.pause_reviewing(actor=actor, membership=membership)
    assert PanelMembership.objects.get(pk=membership.pk).paused_at is None

    services.pause_reviewing(actor=membership.user, membership=membership)
    paused_at = PanelMembership.objects.get(pk=membership.pk).paused_at
    with pytest.raises(PermissionDenied):
        services.resume_reviewing(actor=actor, membership=membership)
    assert PanelMembership.objects.get(pk=membership.pk).paused_at == paused_at


@pytest.mark.parametrize("hours", ["0.25", "2.5", "24"])
def test_a_panelist_logs_their_hours(membership, hours):
    entry = services.log_hours(
        actor=membership.user,
        membership=membership,
        worked_on=timezone.localdate(),
        hours=Decimal(hours),
        activity="  Read three applications ",
    )

    stored = HoursEntry.objects.get()
    assert stored == entry
    assert stored.hours == Decimal(hours)
    assert stored.activity == "Read three applications"
    assert stored.membership == membership


@pytest.mark.parametrize(
    "role", ["other_panelist", "panel_chair", "program_staff", "applicant"]
)
def test_nobody_else_logs_hours_on_a_seat(request, membership, role):
    with pytest.raises(PermissionDenied):
        services.log_hours(
            actor=request.getfixturevalue(role),
            membership=membership,
            worked_on=timezone.localdate(),
            hours=Decimal("3"),
        )

    assert not HoursEntry.objects.exists()


def test_hours_for_a_future_date_are_refused(membership):
    with pytest.raises(ValidationError) as error:
        services.log_hours(
            actor=membership.user,
            membership=membership,
            worked_on=timezone.localdate() + timedelta(days=1),
            hours=Decimal("2"),
        )

    assert "worked_on" in error.value.message_dict
    assert not HoursEntry.objects.exists()


@pytest.mark.parametrize("hours", ["0", "0.24", "-1", "24.01", "25", "1.255"])
def test_hours_outside_a_quarter_hour_to_a_day_are_refused(membership, hours):
    with pytest.raises(ValidationError) as error:
        services.log_hours(
            actor=membership.user,
            membership=membership,
            worked_on=timezone.localdate(),
            hours=Decimal(hours),
        )

    assert "hours" in error.value.message_dict
    assert not HoursEntry.objects.exists()


# Stipends ---------------------------------------------------------------------------


def log(membership, *hours):
    for value in hours:
        services.log_hours(
            actor=membership.user,
            membership=membership,
            worked_on=timezone.localdate() - timedelta(days=1),
            hours=Decimal(value),
        )


def amounts(panel):
    return dict(
        Stipend.objects.filter(funding_round=panel.funding_round).values_list(
            "panelist_id", "amount"
        )
    )


@pytest.fixture
def hourly(panel):
    """Three seats at different rates: 3.75 h x $40, 2 h x $35.50, and no hours."""
    a = seat(panel, user=UserFactory(), stipend_rate=Decimal("40.00"))
    b = seat(panel, user=UserFactory(), stipend_rate=Decimal("35.50"))
    c = seat(panel, user=UserFactory(), stipend_rate=Decimal("50.00"))
    log(a, "2.5", "1.25")
    log(b, "2")
    return a, b, c


def test_stipends_are_hours_times_each_panelists_rate(panel, hourly, program_staff):
    a, b, c = hourly

    stipends = services.send_stipends_to_finance(actor=program_staff, panel=panel)

    assert amounts(panel) == {a.user_id: Decimal("150.00"), b.user_id: Decimal("71.00")}
    assert {s.panelist_id for s in stipends} == {a.user_id, b.user_id}
    first = Stipend.objects.get(panelist=a.user)
    assert (first.hours, first.rate, first.flat_per_review) == (
        Decimal("3.75"),
        Decimal("40.00"),
        None,
    )
    assert first.status == Stipend.Status.PENDING
    assert first.sent_by == program_staff
    assert not Stipend.objects.filter(panelist=c.user).exists()
    assert log_entries("applications.send_stipends_to_finance", panel).count() == 1


def test_a_flat_stipend_pays_per_submitted_review(program_staff):
    panel, form, _rubric = make_panel(flat_stipend_per_review=Decimal("75.00"))
    a = seat(panel, user=UserFactory(), stipend_rate=Decimal("40.00"))
    b = seat(panel, user=UserFactory(), stipend_rate=Decimal("40.00"))
    c = seat(panel, user=UserFactory(), stipend_rate=Decimal("40.00"))
    log(a, "10")  # hours do not count when the panel pays per review
    x, y = application_for(form), application_for(form)
    submit_review(program_staff, panel, x, a.user, [4, 4])
    submit_review(program_staff, panel, y, a.user, [3, 2])
    submit_review(program_staff, panel, x, b.user, [5, 5])
    draft = ready_to_review(program_staff, panel, y, b.user)
    services.save_review(
        actor=b.user, assignment=draft, scores=scores_for(panel, [2, 2])
    )
    assign(program_staff, panel, x, c.user)  # assigned, nothing submitted

    services.send_stipends_to_finance(actor=program_staff, panel=panel)

    assert amounts(panel) == {a.user_id: Decimal("150.00"), b.user_id: Decimal("75.00")}
    stipend = Stipend.objects.get(panelist=a.user)
    assert (stipend.reviews, stipend.flat_per_review) == (2, Decimal("75.00"))


def test_resending_updates_a_pending_stipend(panel, hourly, program_staff):
    a, b, _c = hourly
    services.send_stipends_to_finance(actor=program_staff, panel=panel)
    before = Stipend.objects.get(panelist=a.user).pk
    log(a, "1")

    services.send_stipends_to_finance(actor=program_staff, panel=panel)

    assert Stipend.objects.count() == 2
    stipend = Stipend.objects.get(panelist=a.user)
    assert stipend.pk == before
    assert (stipend.hours, stipend.amount) == (Decimal("4.75"), Decimal("190.00"))
    assert amounts(panel)[b.user_id] == Decimal("71.00")


def test_resending_leaves_an_approved_stipend_alone_and_updates_the_others(
    panel, hourly, program_staff
):
    a, b, _c = hourly
    services.send_stipends_to_finance(actor=program_staff, panel=panel)
    Stipend.objects.filter(panelist=a.user).update(status=Stipend.Status.APPROVED)
    log(a, "1")
    log(b, "1")

    services.send_stipends_to_finance(actor=program_staff, panel=panel)

    # A's approved stipend keeps its amount; B's pending one counts the new hour:
    # 3 h x $35.50.
    assert amounts(panel) == {
        a.user_id: Decimal("150.00"),
        b.user_id: Decimal("106.50"),
    }
    assert Stipend.objects.get(panelist=a.user).status == Stipend.Status.APPROVED
    assert log_entries("applications.send_stipends_to_finance").count() == 2


def test_resending_drops_a_pending_stipend_nobody_is_owed_any_more(
    panel, hourly, program_staff
):
    # A panelist tells staff they cannot accept payment (it would affect their
    # benefits); staff set their rate to zero before finance acted.
    a, b, _c = hourly
    services.send_stipends_to_finance(actor=program_staff, panel=panel)
    services.set_stipend_rate(
        actor=program_staff, membership=a, stipend_rate=Decimal("0")
    )

    services.send_stipends_to_finance(actor=program_staff, panel=panel)

    # Finance must not keep seeing the old $150.00 as owed.
    assert amounts(panel) == {b.user_id: Decimal("71.00")}


@pytest.mark.parametrize(
    "role", ["panelist", "panel_chair", "finance_officer", "applicant"]
)
def test_only_program_staff_send_stipends(request, panel, hourly, role):
    with pytest.raises(PermissionDenied):
        services.send_stipends_to_finance(
            actor=request.getfixturevalue(role), panel=panel
        )

    assert not Stipend.objects.exists()


# Rights held by groups ----------------------------------------------------------------

PRIVATE_MODELS = [
    Application,
    Review,
    Score,
    Assignment,
    ConflictDeclaration,
    Panel,
    Stipend,
]


@pytest.mark.parametrize(
    "group", [roles.PANELISTS, roles.PANEL_CHAIRS, roles.APPLICANTS]
)
def test_no_non_staff_group_holds_a_model_wide_permission_on_panel_data(group):
    content_types = ContentType.objects.get_for_models(*PRIVATE_MODELS).values()

    held = Group.objects.get(name=group).permissions.filter(
        content_type__in=content_types
    )

    assert list(held.values_list("codename", flat=True)) == []


def test_a_panelist_sees_only_the_applications_assigned_to_them(program_staff):
    panel, form, _rubric = make_panel()
    mine_seat = seat(panel, user=UserFactory())
    chair = seat(panel, role="chair", user=UserFactory()).user
    colleague = seat(panel, user=UserFactory()).user
    mine, theirs, nobodys = (application_for(form) for _ in range(3))
    assignment = assign(program_staff, panel, mine, mine_seat.user)
    assign(program_staff, panel, theirs, colleague)
    perm = "applications.review_application"
    everything = Application.objects.all()

    assert list(visible_to(mine_seat.user, perm, everything)) == [mine]
    assert list(visible_to(colleague, perm, everything)) == [theirs]
    assert list(visible_to(chair, perm, everything)) == []
    assert nobodys not in visible_to(mine_seat.user, perm, everything)

    services.withdraw_reviewer(actor=program_staff, assignment=assignment)
    assert list(visible_to(mine_seat.user, perm, everything)) == []
