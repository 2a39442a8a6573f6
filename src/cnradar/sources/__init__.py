"""cnradar.sources."""
