from django.urls import path

from imports import views

app_name = "imports"

urlpatterns = [
    path("", views.batch_list, name="list"),
    path("<int:pk>/", views.batch_detail, name="detail"),
    path("<int:pk>/columns/", views.batch_mapping, name="mapping"),
    path("<int:pk>/school-year/", views.batch_school_year, name="school_year"),
    path("<int:pk>/confirm/", views.batch_confirm_view, name="confirm"),
    path("<int:pk>/progress/", views.batch_progress, name="progress"),
    path("<int:pk>/rejected.csv", views.batch_rejected_csv, name="rejected"),
    path("<int:pk>/problems.csv", views.batch_problems_csv, name="problems"),
    path("<int:pk>/file/", views.batch_file, name="file"),
    path("<int:pk>/undo/", views.batch_undo_view, name="undo"),
    path("<int:pk>/check-again/", views.batch_recheck, name="recheck"),
    path("<int:pk>/discard/", views.batch_discard_view, name="discard"),
]
