"""Defaults the command line shows in ``--help``, kept apart so that showing them loads nothing."""

STALE_DAYS = 183
"""``pricing check`` warns when an open price was last checked more than this many days ago."""
