"""The board dashboard, its exports and its JSON: each view checks access, reads the filters, calls the
selectors once and presents the numbers suppressed or exact according to the user."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts.roles import can_view_dashboard, is_coordinator, role_required, sees_exact_counts
from reports import exports, selectors, tables
from reports.forms import DashboardFilterForm, GoalForm, GoalTargetFormSet
from reports.metrics import HEADLINE
from reports.models import Goal
from reports.published import board_shown, built_at_label
from reports.services import goal_save
from reports.suppression import (
    POPULATION_BANDS,
    SUPPRESSED_FIXED_FIELDS,
    as_of_refusal,
    suppressed_period,
    threshold,
)


def _board_for_request(
    request: HttpRequest, *, exact: bool, default_baseline: bool = True
) -> tuple[DashboardFilterForm, Any]:
    """The bound filter form and, when it is valid, the board report and goal progress: exact when `exact`,
    else as the suppression layer publishes them (which refuses some filters, on the form's field)."""
    on_record = selectors.school_years_on_record()
    form = DashboardFilterForm(request.GET or None, years=on_record)
    if request.GET and not form.is_valid():
        return form, None
    data = form.cleaned_data if request.GET else {}
    if not on_record:
        return form, None
    year = data.get("year") or on_record[-1]
    if (
        not exact
        and not data.get("year")
        and len(on_record) > 1
        and as_of_refusal(school_year=year, as_of=None, full_year=False)
    ):
        year = on_record[-2]  # the year under way is not released before its first month ends
    baseline = data.get("baseline")
    if baseline is None and default_baseline and on_record[0].pk != year.pk:
        baseline = on_record[0]
    if baseline is not None and (problem := selectors.baseline_problem(school_year=year, baseline=baseline)):
        form.add_error("baseline", problem)  # the year a suppressed viewer is shown may be earlier than the latest
        return form, None
    scope = form.scope() if request.GET else selectors.Scope()
    if exact:
        as_of = selectors.report_as_of(school_year=year, as_of=data.get("as_of"), full_year=bool(data.get("full_year")))
    else:
        # Suppressed viewers: no program filter or concentrators, and a year under way only as released.
        refusal, as_of = suppressed_period(
            scope=scope, school_year=year, as_of=data.get("as_of"), full_year=bool(data.get("full_year"))
        )
        if refusal is not None:
            if not form.is_bound:
                form = DashboardFilterForm({"year": year.label}, years=on_record)
                form.is_valid()
            form.add_error(*refusal)
            return form, None
    return form, board_shown(
        school_year=year, baseline=baseline, scope=scope, as_of=as_of, trend_years=on_record, exact=exact
    )


def _exact(request: HttpRequest, asked: bool | None = None) -> bool:
    """Exact numbers for coordinators who ask for them (default: their role's), suppressed otherwise."""
    return sees_exact_counts(request.user) if asked is None else asked and sees_exact_counts(request.user)


def _wants_exact(request: HttpRequest) -> bool | None:
    counts = request.GET.get("counts")
    return {"exact": True, "suppressed": False}.get(counts)


def _headline_cards(table: tables.Table) -> list[dict[str, Any]]:
    # The figures declared as cards (the award-built ones); the course-built ones stay in the table.
    cards = []
    for metric, (_, now, before, delta, *full_year) in zip(HEADLINE, table.rows, strict=True):
        if metric.card:
            cards.append(
                {
                    "key": metric.key,
                    "label": metric.label,
                    "now": now,
                    "before": before,
                    "change": delta,
                    # The whole baseline year, beside a year-to-date comparison (never instead of it).
                    "full_year": full_year[0] if full_year else None,
                    "has_full_year": bool(full_year),
                    "is_rate": metric.is_rate,
                }
            )
    return cards


def _full_year_query(request: HttpRequest) -> str:
    """The page's filters with the cut-off replaced by the full year (a link from a year to date)."""
    params = request.GET.copy()
    params.pop("as_of", None)
    params["full_year"] = "1"
    return params.urlencode()


@role_required(can_view_dashboard)
def dashboard(request: HttpRequest) -> HttpResponse:
    exact = _exact(request)
    form, shown = _board_for_request(request, exact=exact)
    context: dict[str, Any] = {"form": form, "threshold": threshold(), "query": request.GET.urlencode()}
    # The filters suppressed numbers are refused for are not offered (a refused one still shows its message).
    context["fixed_fields"] = () if exact else SUPPRESSED_FIXED_FIELDS
    context["populations_offered"] = [] if exact else list(POPULATION_BANDS)
    if shown is not None:
        by_slug = {table.slug.replace("-", "_"): table for table in shown["tables"]}
        context.update(
            shown,
            tables=by_slug,
            headline_cards=_headline_cards(by_slug["headline"]),
            stale_label=shown["stale_since"] and built_at_label(shown["stale_since"]),
            year_label=tables.period_label(shown["report"]["year"], shown["report"]["as_of"]),
            as_of_label=shown["report"]["as_of"] and tables.day_label(shown["report"]["as_of"]),
            full_year_query=_full_year_query(request),
            baseline_label=shown["report"]["baseline_year"]
            and tables.period_label(shown["report"]["baseline_year"], shown["report"]["baseline_as_of"]),
            chart_data={
                "trend": [
                    {
                        "year": tables.trend_label(t),
                        "rate": tables.pct(t["earner_rate"]),
                        "earners": t["discrete_earners"],
                    }
                    for t in shown["report"]["trend"]
                ],
                "credentials": {
                    "years": by_slug["trend_credentials"].header[1:],
                    "series": [{"label": row[0], "values": row[1:]} for row in by_slug["trend_credentials"].rows],
                },
            },
        )
    return render(request, "reports/dashboard.html", context)


@role_required(can_view_dashboard)
def board_packet(request: HttpRequest) -> HttpResponse:
    form, shown = _board_for_request(request, exact=_exact(request, _wants_exact(request)))
    if shown is None:
        return render(request, "reports/dashboard.html", {"form": form, "threshold": threshold()}, status=400)
    return exports.board_packet_response(
        report=shown["report"],
        tables=shown["tables"],
        suppressed=shown["suppressed"],
        threshold=threshold(),
    )


@role_required(can_view_dashboard)
def board_table_csv(request: HttpRequest, table: str) -> HttpResponse:
    form, shown = _board_for_request(request, exact=_exact(request, _wants_exact(request)))
    if shown is None:
        return render(request, "reports/dashboard.html", {"form": form, "threshold": threshold()}, status=400)
    by_slug = {t.slug: t for t in shown["tables"]}
    if table not in by_slug:
        raise Http404("No such table")
    return exports.table_csv_response(report=shown["report"], table=by_slug[table])


def api_board(request: HttpRequest) -> JsonResponse:
    """GET /api/reports/board?year=2024-25&baseline=2023-24[&school=&program=&population=][&as_of=|&full_year=1]:
    the board report as JSON, suppressed unless the user sees exact counts. No baseline parameter: baseline null.
    A year under way is cut at today unless as_of or full_year says otherwise (docs/metrics.md, Year to date)."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "Log in first."}, status=403)
    if not can_view_dashboard(request.user):
        return JsonResponse({"error": "Your role cannot see the board dashboard."}, status=403)
    if request.method != "GET":
        return JsonResponse({"error": "Use GET."}, status=405)
    form, shown = _board_for_request(request, exact=_exact(request), default_baseline=False)
    if shown is None:
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()} if form.is_bound else {}
        return JsonResponse(
            {"error": "Bad filters.", "fields": errors or {"year": ["No school year on record."]}}, status=400
        )
    report = shown["report"]
    return JsonResponse(
        {
            **report,
            "seal": selectors.seal_summary(report["current"]),
            "goals": shown["goals"],
            "suppressed": shown["suppressed"],
            "threshold": threshold(),
            # When the figures given were built, if changes recorded since are still being counted; else null.
            "figures_as_of": shown["stale_since"] and shown["stale_since"].isoformat(),
        }
    )


@role_required(is_coordinator)
def goal_list(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/goals.html", {"goals": selectors.goals_active()})


@role_required(is_coordinator)
def goal_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    goal = get_object_or_404(Goal, pk=pk) if pk is not None else None
    form = GoalForm(request.POST or None, instance=goal)
    targets = GoalTargetFormSet(request.POST or None, instance=goal or Goal())
    if request.method == "POST" and form.is_valid() and targets.is_valid():
        try:
            saved = goal_save(form=form, targets=targets, user=request.user)
        except ValidationError as error:
            # An interim target checked against the goal's years (known only once the goal is saved).
            form.add_error(None, [f"Interim target: {message}" for message in error.messages])
        else:
            messages.success(request, f"Goal “{saved.name}” saved.")
            return redirect("reports:goals")
    return render(request, "reports/goal_form.html", {"form": form, "targets": targets, "goal": goal})
