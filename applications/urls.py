from django.urls import path

from applications import views

app_name = "applications"

urlpatterns = [
    path("portal/", views.portal_home, name="portal_home"),
    path("apply/<int:round_id>/", views.start, name="start"),
    path("apply/<int:round_id>/eligibility/", views.eligibility, name="eligibility"),
    path("applications/<uuid:public_id>/", views.task_list, name="task_list"),
    path(
        "applications/<uuid:public_id>/section/<slug:section_id>/",
        views.section,
        name="section",
    ),
    path("applications/<uuid:public_id>/check/", views.check_answers, name="check"),
    path("applications/<uuid:public_id>/submitted/", views.receipt, name="receipt"),
    path("applications/<uuid:public_id>/print/", views.printable, name="print"),
    path("applications/<uuid:public_id>/withdraw/", views.withdraw, name="withdraw"),
    path(
        "applications/<uuid:public_id>/files/<int:attachment_id>/",
        views.attachment_download,
        name="attachment_download",
    ),
]
