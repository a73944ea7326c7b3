from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import two_factor
from accounts import views as account_views
from reports import home_views, seal_views
from reports import views as reports_views

admin.site.site_header = "CTE Tracker administration"
admin.site.site_title = "CTE Tracker"

urlpatterns = [
    path("", home_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password/", account_views.PasswordChange.as_view(), name="password_change"),
    path("account/two-factor/", two_factor.verify, name="two_factor_verify"),
    path("account/two-factor/setup/", two_factor.setup, name="two_factor_setup"),
    path("healthz", account_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("students/worklists/", include("reports.worklist_urls")),
    path("students/", include("credentials.student_urls")),
    path("credentials/", include("credentials.urls")),
    path("programs/", include("reports.program_urls")),
    path("seal-routes/", include("pathways.urls")),
    path("seal-worklist/", seal_views.seal_worklist, name="seal_worklist"),
    path("imports/", include("imports.urls")),
    path("reports/", include("reports.urls")),
    path("api/reports/board", reports_views.api_board, name="api_board"),
]
# No route serves MEDIA_ROOT, not even with DEBUG: uploaded import files hold students' records and are
# downloaded only through imports:file, which checks the coordinator role.
