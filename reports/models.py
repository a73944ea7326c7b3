"""Board goals and targets live here (see reports/selectors.py for every metric)."""
