from django.urls import path

from students import views

app_name = "students"

urlpatterns = [
    path("", views.student_list, name="list"),
    path("search/", views.search, name="search"),
    path("<int:pk>/", views.student_detail, name="detail"),
    path("<int:pk>/awards/new/", views.award_new, name="award_new"),
    path("<int:pk>/awards/<int:award_pk>/edit/", views.award_edit, name="award_edit"),
    path("<int:pk>/awards/<int:award_pk>/delete/", views.award_remove, name="award_delete"),
]
