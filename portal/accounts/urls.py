from django.urls import path

from portal.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.account, name="account"),
    path("signup/", views.signup, name="signup"),
    path("signup/check-your-email/", views.signup_done, name="signup_done"),
    path("confirm/resend/", views.resend_confirmation, name="resend_confirmation"),
    path(
        "confirm/resend/check-your-email/",
        views.resend_confirmation_done,
        name="resend_confirmation_done",
    ),
    path("confirm/<str:token>/", views.confirm_email, name="confirm_email"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/", views.PasswordChangeView.as_view(), name="password_change"
    ),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/complete/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("email/change/", views.change_email, name="change_email"),
    path(
        "email/change/check-your-email/",
        views.change_email_done,
        name="change_email_done",
    ),
    path(
        "email/confirm/<str:token>/",
        views.confirm_email_change,
        name="confirm_email_change",
    ),
    path("two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/verify/", views.two_factor_verify, name="two_factor_verify"),
    path(
        "two-factor/backup-codes/",
        views.two_factor_backup_codes,
        name="two_factor_backup_codes",
    ),
]
