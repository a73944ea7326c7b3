"""The seal routes pages for CTE coordinators: list, create, edit, retire (the app's pages, not the admin)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.roles import is_coordinator, role_required
from pathways.models import SealPathway, SealRouteAssessment
from pathways.seal_forms import SealRouteForm
from pathways.services import seal_route_retire, seal_route_save


@role_required(is_coordinator)
def route_list(request: HttpRequest) -> HttpResponse:
    routes = (
        SealPathway.objects.annotate(award_count=Count("awards"))
        .prefetch_related("courses", Prefetch("accepted", SealRouteAssessment.objects.select_related("assessment")))
        .order_by("status", "name")
    )
    return render(request, "pathways/route_list.html", {"routes": routes})


def _save(request: HttpRequest, form: SealRouteForm) -> SealPathway | None:
    try:
        return seal_route_save(
            route=form.save(commit=False),
            courses=list(form.cleaned_data["courses"]),
            accepted=form.accepted(),
            changed_by=request.user,
        )
    except ValidationError as error:
        # The accepted assessments are many boxes: what is wrong with them is said above the form.
        for name, messages_ in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages_)
        return None


@role_required(is_coordinator)
@require_http_methods(["GET", "POST"])
def route_new(request: HttpRequest) -> HttpResponse:
    form = SealRouteForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and (route := _save(request, form)):
        messages.success(request, f"Added the seal route {route}.")
        return redirect("seal_routes:list")
    form.mark_errors()
    return render(request, "pathways/route_form.html", {"form": form, "route": None})


@role_required(is_coordinator)
@require_http_methods(["GET", "POST"])
def route_edit(request: HttpRequest, pk: int) -> HttpResponse:
    route = get_object_or_404(SealPathway, pk=pk)
    form = SealRouteForm(request.POST or None, instance=route)
    if request.method == "POST" and form.is_valid() and _save(request, form):
        messages.success(request, f"Saved the seal route {route}.")
        return redirect("seal_routes:list")
    if form.is_bound:
        route.refresh_from_db()  # the page names the route as saved, the form shows what was typed
    form.mark_errors()
    return render(request, "pathways/route_form.html", {"form": form, "route": route})


@role_required(is_coordinator)
@require_POST
def route_retire(request: HttpRequest, pk: int) -> HttpResponse:
    route = get_object_or_404(SealPathway, pk=pk)
    seal_route_retire(route=route, changed_by=request.user)
    messages.success(request, f"Retired {route}: its awards keep naming it; nobody becomes eligible by it.")
    return redirect("seal_routes:list")
