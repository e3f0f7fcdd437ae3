"""Communications staff edit the public site through moderation and see nothing else."""

import pytest
from wagtail.models import Page, WorkflowState
from wagtail.test.utils.form_data import nested_form_data, streamfield

from cms.models import HomePage, StandardPage
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db


def _new_page_data(action):
    return nested_form_data(
        {
            "title": "Volunteer with survivor-led groups",
            "slug": "volunteer",
            "intro": "Ways to help that survivors asked for.",
            "body": streamfield([]),
            action: "1",
        }
    )


def test_comms_staff_create_a_page_and_submit_it_for_moderation(
    client, demo_site, comms_staff
):
    login_verified(client, comms_staff)
    home = HomePage.objects.get(locale__language_code="en")
    response = client.post(
        f"/admin/pages/add/cms/standardpage/{home.pk}/", _new_page_data("action-submit")
    )
    assert response.status_code == 302
    page = StandardPage.objects.get(slug="volunteer")
    assert not page.live
    state = WorkflowState.objects.get(
        base_content_type__isnull=False, object_id=str(page.pk)
    )
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.requested_by == comms_staff


def test_comms_staff_cannot_publish_without_approval(client, demo_site, comms_staff):
    login_verified(client, comms_staff)
    home = HomePage.objects.get(locale__language_code="en")
    client.post(
        f"/admin/pages/add/cms/standardpage/{home.pk}/",
        _new_page_data("action-publish"),
    )
    page = StandardPage.objects.filter(slug="volunteer").first()
    assert page is None or not page.live
    assert client.get("/volunteer/").status_code == 404


def test_moderator_approval_publishes_the_page(
    client, demo_site, comms_staff, administrator
):
    login_verified(client, comms_staff)
    home = HomePage.objects.get(locale__language_code="en")
    client.post(
        f"/admin/pages/add/cms/standardpage/{home.pk}/", _new_page_data("action-submit")
    )
    page = StandardPage.objects.get(slug="volunteer")
    task_state = page.current_workflow_task_state
    login_verified(client, administrator)
    response = client.post(
        f"/admin/pages/workflow/action/{page.pk}/approve/{task_state.pk}/",
        {"comment": "Thank you, looks good."},
    )
    assert response.status_code in (200, 302)
    page.refresh_from_db()
    assert page.live


def test_comms_staff_can_edit_safety_settings(client, demo_site, comms_staff):
    login_verified(client, comms_staff)
    response = client.get("/admin/settings/cms/safetysettings/")
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        response = client.get(response["Location"])
    assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/admin/funds/",
        "/admin/funds/new/",
        "/admin/funding_rounds/",
        "/admin/funding_rounds/new/",
        "/admin/applications/",
        "/admin/application_forms/",
        "/admin/users/",
        "/admin/groups/",
        "/admin/sites/",
        "/admin/locales/",
        "/admin/workflows/list/",
    ],
)
def test_comms_staff_are_refused_outside_pages_snippets_and_images(
    client, demo_site, comms_staff, path
):
    login_verified(client, comms_staff)
    response = client.get(path)
    assert response.status_code in (302, 403, 404)
    if response.status_code == 302:
        # Wagtail sends refused admin users back to the dashboard with a message.
        assert response["Location"] in ("/admin/", "/admin/login/") or response[
            "Location"
        ].startswith("/admin/login/")
        follow = client.get(response["Location"])
        assert (
            b"Sorry, you do not have permission" in follow.content
            or follow.status_code == 200
        )


def test_comms_staff_see_no_grants_menu(client, demo_site, comms_staff):
    login_verified(client, comms_staff)
    html = client.get("/admin/").content.decode()
    assert "Funding rounds" not in html
    assert Page.objects.filter(locale__language_code="en").exists()


def test_comms_staff_translate_the_home_page_into_somali_as_a_draft(
    client, demo_site, comms_staff
):
    from wagtail.models import Locale

    login_verified(client, comms_staff)
    home = HomePage.objects.get(locale__language_code="en")
    somali = Locale.objects.get(language_code="so")
    response = client.post(
        f"/admin/translation/submit/page/{home.pk}/", {"locales": [somali.pk]}
    )
    assert response.status_code == 302
    translation = HomePage.objects.get(
        locale=somali, translation_key=home.translation_key
    )
    assert not translation.live
