"""cnradar: Chinese-market quantitative research.

Three systems on one point-in-time store:

- the timing radar (``cnradar.radar``), seeds/timing-radar.txt;
- index-futures basis analytics (``cnradar.quant.basis``, ``cnradar.futures``), seeds/index-futures-basis.txt;
- the commodity index engine (``cnradar.cindex``), seeds/commodity-index-methods.txt.

Data flows one way: source -> bundle -> store -> as-of view -> analytics -> report.
"""

__version__ = "0.1.0"
