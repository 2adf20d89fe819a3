"""Webhooks: the day's agenda and each finished huddle's summary, posted to a location's URL."""
