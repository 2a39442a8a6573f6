"""cnradar.report: the weekly report (self-contained HTML, hexagon PNG/SVG, Markdown summary).

Entry point: :func:`build_report` (``cnradar report`` on the command line). Section renderers take plain frames
(:mod:`cnradar.report.model`); :mod:`cnradar.report.assemble` calls the radar, basis and commodity APIs and turns
anything unavailable into a visible "no data" panel.
"""

from cnradar.report.build import ReportResult, build_report, write_report

__all__ = ["ReportResult", "build_report", "write_report"]
