from reports.suppression import report_suppressed, suppress_count


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
    [entry] = report_suppressed(goals, limit=10)[0]["years"]
    assert (entry["actual"], entry["status"]) == (None, "suppressed")


def test_the_threshold_comes_from_settings(settings):
    settings.SUPPRESSION_THRESHOLD = 5
    assert suppress_count(4) == "<5"
    assert suppress_count(5) == 5
