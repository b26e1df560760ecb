"""Low-level helpers every app may use (absolute URLs, mail). Imports nothing from the apps."""
