from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("board-packet.xlsx", views.board_packet, name="board_packet"),
    path("csv/<slug:table>.csv", views.board_table_csv, name="table_csv"),
    path("goals/", views.goal_list, name="goals"),
    path("goals/new/", views.goal_edit, name="goal_new"),
    path("goals/<int:pk>/", views.goal_edit, name="goal_edit"),
]
