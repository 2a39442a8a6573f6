"""cnradar.futures."""
