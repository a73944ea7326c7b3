from django.urls import path

from credentials import views

app_name = "credentials"

urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("new/", views.credential_new, name="new"),
    path("<int:pk>/edit/", views.credential_edit, name="edit"),
    path("<int:pk>/active/", views.credential_toggle_active, name="toggle_active"),
    path("merge/", views.credential_merge_view, name="merge"),
    path("testing-session/", views.testing_session, name="session"),
    path("picker/", views.credential_picker, name="picker"),
]
