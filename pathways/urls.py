from django.urls import path

from pathways import views

app_name = "seal_routes"

urlpatterns = [
    path("", views.route_list, name="list"),
    path("new/", views.route_new, name="new"),
    path("<int:pk>/edit/", views.route_edit, name="edit"),
    path("<int:pk>/retire/", views.route_retire, name="retire"),
]
