from django.urls import path

from grants import payee_views

app_name = "payments"

urlpatterns = [
    path("me/stripe/", payee_views.my_payee_start, name="my_payee_start"),
    path("me/stripe/return/", payee_views.my_payee_return, name="my_payee_return"),
    path("me/stripe/refresh/", payee_views.my_payee_refresh, name="my_payee_refresh"),
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
