"""The peers Pulseboard is measured against, each a small Dash app of the usual shape.

All read the same SQLite file and schema as Pulseboard (live/store/sqlite_schema.py), so each shows the
same series and window; settings come from BASELINE_* environment variables.
"""
