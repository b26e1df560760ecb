# The English pages show ISO dates (2026-12-02) and 24-hour times, as they always have.
DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
