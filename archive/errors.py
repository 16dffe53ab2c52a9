"""The one exception a user can cause; `main()` turns it into one line and exit 1."""


class PortalArchiveError(Exception):
    """An expected failure with a message meant for the person at the terminal."""

    exit_code = 1
