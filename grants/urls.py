from django.urls import path

from grants import views

app_name = "grants"

urlpatterns = [
    path("", views.organization_list, name="organization_list"),
    path("new/", views.organization_create, name="organization_create"),
    path("<int:pk>/", views.organization_detail, name="organization_detail"),
    path("<int:pk>/edit/", views.organization_edit, name="organization_edit"),
    path("<int:pk>/invite/", views.member_invite, name="member_invite"),
    path(
        "<int:pk>/invitations/<int:invitation_pk>/cancel/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "<int:pk>/members/<int:membership_pk>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path(
        "<int:pk>/transfer-ownership/",
        views.ownership_transfer,
        name="ownership_transfer",
    ),
    path("awards/<int:award_id>/", views.award_detail, name="award_detail"),
    path(
        "awards/<int:award_id>/reports/<int:report_id>/",
        views.report_detail,
        name="report_detail",
    ),
    path(
        "invitations/<uuid:token>/",
        views.invitation_accept,
        name="invitation_accept",
    ),
]
