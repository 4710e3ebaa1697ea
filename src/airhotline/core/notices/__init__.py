"""Dangerous-activity notices: where not to fly, in which band and when."""
