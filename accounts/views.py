from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import Role
from accounts.roles import user_role


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own start page; until those pages exist, a short overview."""
    role = user_role(request.user)
    return render(request, "accounts/home.html", {"role": role, "roles": Role})


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
