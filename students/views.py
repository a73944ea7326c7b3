"""Student search as you type; the list and record pages, which show awards and programs, live in
credentials.student_views. Every view starts from `students_visible_to`."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.roles import can_view_students, role_required
from students.selectors import SEARCH_MIN_LENGTH, search_too_short, student_search


@role_required(can_view_students)
def search(request: HttpRequest) -> HttpResponse:
    """Search as you type: the htmx fragment for the navbar, or a full page without JavaScript."""
    query = request.GET.get("q", "").strip()[:100]
    results = student_search(user=request.user, query=query)
    context = {
        "query": query,
        "results": results,
        "too_short": bool(query) and search_too_short(query),
        "min_length": SEARCH_MIN_LENGTH,
    }
    template = "students/_search_results.html" if request.headers.get("HX-Request") else "students/search.html"
    return render(request, template, context)
