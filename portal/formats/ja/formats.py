# Japanese dates as Japanese readers write them: 2026年12月2日, 2026年12月2日 14:05.
DATE_FORMAT = "Y年n月j日"
DATETIME_FORMAT = "Y年n月j日 H:i"
