"""The performance benchmark behind `python manage.py bench` (`make bench`).

- `database`: a separate database next to the configured one, created, migrated and dropped.
- `generate`: bulk synthetic data (organisations, users, technologies, search vectors).
- `scenarios`: the registry and the listing pages' scenarios; `matching`, `alerts`,
  `analytics` and `opendata` hold the scenarios of those areas.
- `runner`: the HTTP server, the timing loop, query counts and the report.
- `management/commands/bench.py`: the command.

The benchmark sits above every app: it imports them, none imports it.
"""
