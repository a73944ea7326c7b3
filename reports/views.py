from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.roles import can_view_dashboard, role_required


@role_required(can_view_dashboard)
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/dashboard.html")
