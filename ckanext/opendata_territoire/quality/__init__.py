"""Data quality before publication: the quality score of a dataset
(score.py), the personal-data guard (guard.py) and the validation of files
against their national schema (validation.py, run by jobs.py)."""
