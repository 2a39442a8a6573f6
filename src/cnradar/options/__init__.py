"""cnradar.options."""
