"""Counselors' worklists under /students/worklists/ (namespace "worklists")."""

from django.urls import path

from reports import worklist_views

app_name = "worklists"

urlpatterns = [
    path("<slug:slug>/", worklist_views.worklist, name="detail"),
]
