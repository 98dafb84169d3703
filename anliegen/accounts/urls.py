from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from anliegen.accounts import views, views_admin

app_name = "accounts"

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("settings/", views.settings_view, name="settings"),
    path("sign-out-everywhere/", views.sign_out_everywhere_view, name="sign_out_everywhere"),
    path("set-password/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/set_password.html", success_url=reverse_lazy("accounts:password_set"),
        post_reset_login=True), name="set_password"),
    path("set-password/done/", views.password_set, name="password_set"),
    path("staff/", views_admin.staff_list, name="staff"),
    path("staff/new/", views_admin.staff_edit, name="staff_new"),
    path("staff/<int:pk>/", views_admin.staff_edit, name="staff_edit"),
    path("staff/<int:pk>/invite/", views_admin.staff_invite, name="staff_invite"),
    path("teams/", views_admin.team_list, name="teams"),
    path("teams/new/", views_admin.team_edit, name="team_new"),
    path("teams/<int:pk>/", views_admin.team_edit, name="team_edit"),
]
