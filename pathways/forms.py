"""The program-of-study form for CTE coordinators: the program's own fields, and its ordered course sequence."""

from __future__ import annotations

from django import forms

from common.forms import ErrorMarking, ErrorMarkingModelForm, style_widgets
from pathways.models import CareerPathway, Course, ProgramOfStudy
from pathways.services import COURSE_TWICE


class PathwayField(forms.ModelChoiceField):
    def label_from_instance(self, obj: CareerPathway) -> str:
        return f"{obj.cluster.name} — {obj.name}"


class CourseField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Course) -> str:
        kinds = [label for flag, label in ((obj.is_ap, "AP"), (obj.is_dual_credit, "dual credit")) if flag]
        return f"{obj.code} {obj.name}" + (f" ({', '.join(kinds)})" if kinds else "")


class ProgramForm(ErrorMarkingModelForm):
    """A program's fields; `version` is the program's version when the page was opened (services.program_version)."""

    pathway = PathwayField(
        queryset=CareerPathway.objects.select_related("cluster").order_by("cluster__name", "name"),
        required=False,
        label="Career cluster and pathway",
        empty_label="(none)",
    )
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ProgramOfStudy
        fields = [
            "code", "name", "pathway", "concentrator_threshold", "completer_threshold", "schools", "credentials",
            "active",
        ]  # fmt: skip
        widgets = {
            "schools": forms.CheckboxSelectMultiple,
            "credentials": forms.SelectMultiple(attrs={"size": 8}),
        }
        help_texts = {
            "schools": "Schools that offer the program.",
            "credentials": "Credentials the program leads to (hold Ctrl or ⌘ to pick several).",
        }

    def __init__(self, *args, version: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["credentials"].queryset = self.fields["credentials"].queryset.order_by("name")
        pathway = self.fields["pathway"]
        groups: dict[str, list] = {}
        for choice in pathway.queryset:
            groups.setdefault(choice.cluster.name, []).append((choice.pk, choice.name))
        pathway.choices = [("", "(none)"), *groups.items()]  # grouped by cluster; still checked against the queryset
        if not self.is_bound:
            self.initial["version"] = version
        style_widgets(self)
        self.fields["schools"].widget.attrs["class"] = "form-check-input"


class SequenceRowForm(ErrorMarking, forms.Form):
    """One place in the sequence: a course and its order (blank rows are ignored)."""

    course = CourseField(queryset=Course.objects.none(), required=False, label="Course", empty_label="(no course)")

    def __init__(self, *args, courses=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses if courses is not None else Course.objects.filter(active=True)
        style_widgets(self)


class BaseSequenceFormSet(forms.BaseFormSet):
    def __init__(self, *args, program: ProgramOfStudy | None = None, **kwargs):
        in_sequence = Course.objects.filter(program_places__program=program) if program and program.pk else None
        courses = Course.objects.filter(active=True)
        if in_sequence is not None:
            courses = courses | in_sequence  # a course made inactive stays in the sequences that have it
        self.courses_offered = courses.distinct().order_by("code")
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "courses": self.courses_offered}

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["ORDER"].label = "Order"
        form.fields["ORDER"].widget.attrs.update({"class": "form-control", "min": "1"})
        form.fields["DELETE"].label = "Remove"
        form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def _kept(self) -> list[forms.Form]:
        return [f for f in self.ordered_forms if f.cleaned_data.get("course")]

    def clean(self):
        if any(self.errors) or self.non_form_errors():  # a row's own error, or a form without its management data
            return
        seen: dict[int, int] = {}
        for form in self._kept():
            course = form.cleaned_data["course"]
            if course.pk in seen:
                form.add_error("course", COURSE_TWICE.format(course=course))
            seen.setdefault(course.pk, 1)
        if any(self.errors):
            raise forms.ValidationError("The sequence has a course twice; nothing was saved.")

    def courses(self) -> list[Course]:
        """The sequence's courses, first to last (by the order typed, then by row)."""
        return [f.cleaned_data["course"] for f in self._kept()]


SequenceFormSet = forms.formset_factory(
    SequenceRowForm, formset=BaseSequenceFormSet, extra=3, can_order=True, can_delete=True
)


def sequence_initial(program: ProgramOfStudy) -> list[dict]:
    if program.pk is None:
        return []
    return [{"course": p.course, "ORDER": p.position} for p in program.sequence.select_related("course")]
