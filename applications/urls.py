from django.urls import path

from applications.views import applying, panels, your_data

app_name = "applications"

urlpatterns = [
    path("portal/", applying.portal_home, name="portal_home"),
    path(
        "portal/organizations/<int:pk>/your-data/",
        your_data.your_data,
        name="your_data",
    ),
    path(
        "portal/organizations/<int:pk>/your-data/<int:export_id>/download/",
        your_data.your_data_download,
        name="your_data_download",
    ),
    path("apply/<int:round_id>/", applying.start, name="start"),
    path("apply/<int:round_id>/eligibility/", applying.eligibility, name="eligibility"),
    path("applications/<uuid:public_id>/", applying.task_list, name="task_list"),
    path(
        "applications/<uuid:public_id>/section/<slug:section_id>/",
        applying.section,
        name="section",
    ),
    path("applications/<uuid:public_id>/check/", applying.check_answers, name="check"),
    path("applications/<uuid:public_id>/submitted/", applying.receipt, name="receipt"),
    path("applications/<uuid:public_id>/print/", applying.printable, name="print"),
    path("applications/<uuid:public_id>/withdraw/", applying.withdraw, name="withdraw"),
    path(
        "applications/<uuid:public_id>/files/<int:attachment_id>/",
        applying.attachment_download,
        name="attachment_download",
    ),
    # Review panels
    path("portal/reviews/<uuid:public_id>/", panels.review, name="review"),
    path(
        "portal/reviews/<uuid:public_id>/conflict/",
        panels.review_conflict,
        name="review_conflict",
    ),
    path(
        "portal/reviews/<uuid:public_id>/files/<int:attachment_id>/",
        panels.review_file,
        name="review_file",
    ),
    path("portal/panels/<int:panel_id>/", panels.panel_detail, name="panel_detail"),
    path("portal/panels/<int:panel_id>/pause/", panels.panel_pause, name="panel_pause"),
    path(
        "portal/panels/<int:panel_id>/meeting/",
        panels.panel_meeting,
        name="panel_meeting",
    ),
    path(
        "portal/panels/<int:panel_id>/meeting/<uuid:public_id>/",
        panels.panel_recommend,
        name="panel_recommend",
    ),
    path(
        "portal/panels/<int:panel_id>/reviews/<int:review_id>/reopen/",
        panels.review_reopen,
        name="review_reopen",
    ),
    path(
        "portal/panel-invitations/<uuid:token>/",
        panels.panel_invitation,
        name="panel_invitation",
    ),
]
