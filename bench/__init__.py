"""The performance benchmark behind `python manage.py bench` (`make bench`).

- `database`: a separate database next to the configured one, created, migrated and dropped.
- `generate`: bulk synthetic data (organisations, users, technologies, search vectors).
- `scenarios`: the registry and the listing pages' scenarios; `matching`, `alerts`,
  `analytics` and `opendata` hold the scenarios of those areas.
- `runner`: the cold and warm passes, query counts and the report's tables; `server`: gunicorn
  and the one HTTP GET; `coldstart`: what is dropped before a cold pass; `replay`: each page
  against its own SQL; `load`: the mixed load (N clients for S seconds); `scaleout`: the mixed
  load against 1 and 2 app servers, with and without a streaming replica (`lib/pgreplica`);
  `markdown`: the tables.
- `management/commands/bench.py`: the command.

The benchmark sits above every app: it imports them, none imports it.
"""
