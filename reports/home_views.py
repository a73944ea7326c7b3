"""The landing page. It composes students, awards and the dashboard's school rows, so it lives here, in the
highest app it reads from, rather than in accounts."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.models import Role
from accounts.roles import can_view_students, user_role
from credentials.selectors import recent_awards, student_list_rows
from reports.selectors import Scope, school_rows
from reports.tables import pct
from reports.worklist_views import worklist_counts
from students.selectors import current_school_year


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own start page: a counselor on their students and recent entries, a
    coordinator on the district overview, a board viewer on the dashboard."""
    role = user_role(request.user)
    if role == Role.BOARD_VIEWER:
        return redirect("reports:dashboard")
    context = {"role": role, "roles": Role}
    if can_view_students(request.user):
        school_year = current_school_year()
        context["school_year"] = school_year
        context["recent"] = recent_awards(user=request.user)
        context["worklists"] = worklist_counts(user=request.user, school_year=school_year)
        if role == Role.COUNSELOR:
            context["students"] = student_list_rows(user=request.user, school_year=school_year).in_student_name_order()[
                :25
            ]
        elif school_year.pk is None:
            context["overview"] = []  # the year has no row yet (see current_school_year), so no enrollment
        else:
            # The dashboard's own selector (same numbers as the board sees, by school, exact for a coordinator).
            context["overview"] = [
                {**row, "rate": pct(row["rate"])}
                for row in school_rows(school_years=[school_year], scope=Scope())[school_year.pk]
            ]
    return render(request, "reports/home.html", context)
