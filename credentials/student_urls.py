"""The student pages under /students/ (namespace "students"): search from students, the list and record
pages from credentials.student_views, which compose awards and programs."""

from django.urls import path

from credentials import student_views
from students import views

app_name = "students"

urlpatterns = [
    path("", student_views.student_list, name="list"),
    path("search/", views.search, name="search"),
    path("<int:pk>/", student_views.student_detail, name="detail"),
    path("<int:pk>/awards/new/", student_views.award_new, name="award_new"),
    path("<int:pk>/awards/<int:award_pk>/edit/", student_views.award_edit, name="award_edit"),
    path("<int:pk>/awards/<int:award_pk>/delete/", student_views.award_remove, name="award_delete"),
    path("<int:pk>/assessments/new/", student_views.assessment_new, name="assessment_new"),
    path("<int:pk>/seal/award/", student_views.seal_award, name="seal_award"),
    path("<int:pk>/seal/evidence/new/", student_views.seal_evidence_new, name="seal_evidence_new"),
]
