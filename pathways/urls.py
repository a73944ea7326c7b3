from django.urls import path

from pathways import seal_views

app_name = "seal_routes"

urlpatterns = [
    path("", seal_views.route_list, name="list"),
    path("new/", seal_views.route_new, name="new"),
    path("<int:pk>/edit/", seal_views.route_edit, name="edit"),
    path("<int:pk>/retire/", seal_views.route_retire, name="retire"),
]
