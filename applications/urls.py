from django.urls import path

from applications import views

app_name = "applications"

urlpatterns = [
    path("apply/<int:round_id>/", views.start, name="start"),
]
