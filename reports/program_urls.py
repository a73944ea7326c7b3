"""The pages under /programs/ (namespace "programs"): the list pages with their counts from reports, the
program's own pages (add, edit, its history) from pathways."""

from django.urls import path

from pathways import views
from reports import catalog_views

app_name = "programs"

urlpatterns = [
    path("", catalog_views.program_list, name="list"),
    path("courses/", catalog_views.course_list, name="courses"),
    path("clusters/", catalog_views.cluster_list, name="clusters"),
    path("new/", views.program_new, name="new"),
    path("<int:pk>/", views.program_detail, name="detail"),
    path("<int:pk>/edit/", views.program_edit, name="edit"),
]
