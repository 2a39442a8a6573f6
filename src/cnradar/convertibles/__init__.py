"""cnradar.convertibles."""
