"""The synthetic demo universe (issue 3, "Demo universe"): a deterministic, seeded Chinese market written as one
data bundle, with its ground truth in ``truth/``. See :func:`generate_demo_bundle`.

>>> from cnradar.sources.demo import generate_demo_bundle, DEMO_PRESETS
>>> path = generate_demo_bundle("/tmp/cnradar-demo", **DEMO_PRESETS["small"])  # doctest: +SKIP
"""

from cnradar.sources.demo.generator import DEMO_PRESETS, generate_demo_bundle

__all__ = ["DEMO_PRESETS", "generate_demo_bundle"]
