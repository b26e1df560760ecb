"""The performance benchmark behind `python manage.py bench` (`make bench`).

- `database`: a separate database next to the configured one, created, migrated and dropped.
- `generate`: bulk synthetic data (organisations, users, technologies, search vectors).
- `scenarios`: the named scenarios measured; other apps add theirs with a few lines.
- `runner`: the HTTP server, the timing loop, query counts and the report.
"""
