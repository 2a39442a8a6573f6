"""cnradar.radar — the timing radar (择时雷达六面图), seeds/timing-radar.txt.

21 indicators in six dimensions and four categories (``indicators.toml``), computed point-in-time as a daily
history from the store (:func:`cnradar.radar.engine.score_history`), aggregated into a composite in [−1, 1]
(:func:`aggregate`), evaluated (:mod:`cnradar.radar.evaluate`) and described in Chinese or English
(:mod:`cnradar.radar.narrative`).
"""

from cnradar.radar.aggregate import RadarScore, aggregate, aggregate_frame

__all__ = ["RadarScore", "aggregate", "aggregate_frame"]
