from reports.suppression import goals_suppressed, report_suppressed, suppress_count


def test_counts_from_one_to_nine_show_as_less_than_ten_and_zero_and_ten_stay():
    assert [suppress_count(n, 10) for n in (0, 1, 9, 10, 250)] == [0, "<10", "<10", 10, 250]


def test_a_rate_built_on_a_small_count_is_hidden_and_others_are_kept():
    report = {
        "enrolled_students": 120,
        "discrete_earners": 7,
        "earner_rate": 0.0583,
        "credentials_awarded": 12,
        "credentials_per_earner": 1.71,
        "first_time_earners": 3,
        "by_group": {
            "special_education": {"enrolled": 40, "earners": 12, "rate": 0.3, "gap": 0.24},
        },
        "by_school": {"N": {"name": "North", "enrolled": 5, "earners": 0, "rate": 0.0}},
        "by_credential": [{"code": "OSHA10", "name": "OSHA", "students": 15, "awards": 16}],
    }
    shown = report_suppressed(report, limit=10)
    assert shown["discrete_earners"] == "<10"
    assert shown["earner_rate"] is None
    assert shown["credentials_per_earner"] is None
    assert shown["credentials_awarded"] == 12
    assert shown["first_time_earners"] == "<10"
    # The all-students rate is hidden, so a gap measured against it is hidden too.
    assert shown["by_group"]["special_education"] == {"enrolled": 40, "earners": 12, "rate": 0.3, "gap": None}
    assert shown["by_school"]["N"] == {"name": "North", "enrolled": "<10", "earners": 0, "rate": None}
    assert shown["by_credential"][0]["students"] == 15
    assert report["discrete_earners"] == 7  # the exact report is left alone


def test_a_goals_actual_value_hides_when_a_count_under_it_is_small():
    goals = [{"years": [{"actual": 70.0, "status": "on track", "inputs": {"completers": 7, "concentrators": 10}}]}]
    [entry] = goals_suppressed(goals, limit=10)[0]["years"]
    assert (entry["actual"], entry["status"]) == (None, "suppressed")


def test_the_threshold_comes_from_settings(settings):
    settings.SUPPRESSION_THRESHOLD = 5
    assert suppress_count(4) == "<5"
    assert suppress_count(5) == 5


def _schools(**rows):
    return {code: {"name": code, "enrolled": e, "earners": n, "rate": n / e} for code, (e, n) in rows.items()}


def test_one_small_row_of_a_breakdown_that_adds_up_to_the_total_hides_the_next_smallest_too():
    report = {
        "enrolled_students": 454,
        "discrete_earners": 73,
        "credentials_awarded": 28,
        "by_school": _schools(A=(300, 40), B=(150, 30), C=(4, 3)),
        "by_grade": {"11": {"enrolled": 250, "earners": 40}, "12": {"enrolled": 204, "earners": 33}},
        "by_credential": [
            {"code": "OSHA10", "students": 20, "awards": 25},
            {"code": "CPR", "students": 3, "awards": 3},
        ],
    }
    shown = report_suppressed(report, limit=10)
    a, b, c = (shown["by_school"][code] for code in "ABC")
    assert (c["enrolled"], c["earners"], c["rate"]) == ("<10", "<10", None)
    # B is the smallest school shown in both columns: hidden, so 454 - 300 and 73 - 40 say nothing about C.
    assert (b["enrolled"], b["earners"], b["rate"]) == ("*", "*", None)
    assert (a["enrolled"], a["earners"]) == (300, 40)
    assert shown["by_grade"] == report["by_grade"]  # nothing small there
    assert [(row["students"], row["awards"]) for row in shown["by_credential"]] == [(20, "*"), ("<10", "<10")]
    assert report["by_school"]["B"]["enrolled"] == 150  # the exact report is left alone


def test_no_second_cell_is_hidden_when_two_are_already_small_or_the_total_itself_is():
    two_small = {"enrolled_students": 310, "discrete_earners": 0, "by_school": _schools(A=(300, 0), B=(6, 0), C=(4, 0))}
    assert report_suppressed(two_small, limit=10)["by_school"]["A"]["enrolled"] == 300
    small_total = {
        "credentials_awarded": 8,
        "by_credential": [{"students": 5, "awards": 5}, {"students": 3, "awards": 3}],
    }
    assert [row["awards"] for row in report_suppressed(small_total, limit=10)["by_credential"]] == ["<10", "<10"]


def test_one_small_grade_of_earners_hides_the_next_smallest_grade_too():
    report = {
        "enrolled_students": 200,
        "discrete_earners": 58,
        "by_grade": {
            "9": {"enrolled": 50, "earners": 3, "rate": 0.06},
            "10": {"enrolled": 50, "earners": 15, "rate": 0.3},
            "11": {"enrolled": 50, "earners": 12, "rate": 0.24},
            "12": {"enrolled": 50, "earners": 28, "rate": 0.56},
        },
    }
    shown = report_suppressed(report, limit=10)["by_grade"]
    assert [shown[grade]["earners"] for grade in ("9", "10", "11", "12")] == ["<10", 15, "*", 28]
    assert (shown["9"]["rate"], shown["11"]["rate"]) == (None, None)
    # 58 - 15 - 28 = 15: the two hidden grades together, not grade 9's 3.
    assert [shown[grade]["enrolled"] for grade in shown] == [50, 50, 50, 50]


def test_counts_in_a_part_of_the_report_the_rule_does_not_know_are_hidden(monkeypatch):
    from reports import suppression

    class Rule:  # shows everything it is asked about
        limit = 10

        def shows(self, **kwargs):
            return True

    monkeypatch.setattr(suppression, "_rule_for", lambda **kwargs: Rule())
    monkeypatch.setattr(suppression.SchoolYear.objects, "filter", lambda **kwargs: [])
    metrics = {"enrolled_students": 40, "discrete_earners": 12, "earner_rate": 0.3}
    report = {
        "year": "2024-25",
        "baseline_year": None,
        "current": dict(metrics),
        "baseline": None,
        "trend": [],
        "full_year": dict(metrics),  # say, a figure added later and not declared in METRICS_YEARS
        "filters": {"school": None},
    }
    shown = suppression.board_published(report=report, goals=[], scope=suppression.Scope(), report_for=None)
    assert shown["report"]["current"] == metrics
    assert shown["report"]["full_year"] == {"enrolled_students": "*", "discrete_earners": "*", "earner_rate": None}
