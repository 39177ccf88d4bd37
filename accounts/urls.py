from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("two-factor/", views.two_factor_verify, name="two_factor_verify"),
    path("two-factor/set-up/", views.two_factor_enrol, name="two_factor_enrol"),
    path("security/", views.security, name="security"),
    path("security/new-phone/", views.new_phone, name="new_phone"),
    path(
        "security/recovery-codes/",
        views.regenerate_recovery_codes,
        name="regenerate_recovery_codes",
    ),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<int:pk>/reactivate/", views.user_reactivate, name="user_reactivate"),
    path(
        "users/<int:pk>/reset-two-factor/",
        views.user_reset_two_factor,
        name="user_reset_two_factor",
    ),
    path(
        "users/<int:pk>/reset-password/", views.user_reset_password, name="user_reset_password"
    ),
    path(
        "users/<int:pk>/resend-invitation/",
        views.user_resend_invitation,
        name="user_resend_invitation",
    ),
    # One-time links from invitation mails; the token is checked by its digest, and the
    # page goes on at an address without it.
    path("invitation/", views.invitation_password, name="invitation_password"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    path("organisation/partner-contact/", views.partner_contact, name="partner_contact"),
    path("organisation/retention/", views.retention, name="retention"),
    path("organisation/case-labels/", views.case_labels, name="case_labels"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/<int:pk>/", views.team_edit, name="team_edit"),
]
