from django.urls import path

from grants import payee_views

app_name = "payments"

urlpatterns = [
    path(
        "organizations/<int:organization_id>/stripe/",
        payee_views.payee_start,
        name="payee_start",
    ),
    path(
        "organizations/<int:organization_id>/stripe/return/",
        payee_views.payee_return,
        name="payee_return",
    ),
    path(
        "organizations/<int:organization_id>/stripe/refresh/",
        payee_views.payee_refresh,
        name="payee_refresh",
    ),
]
