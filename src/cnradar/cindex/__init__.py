"""cnradar.cindex."""
