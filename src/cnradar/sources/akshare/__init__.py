"""AkShare source: fetch real Chinese-market data and write a bundle (``cnradar data sync --source akshare``).

AkShare is an optional dependency (``pip install 'cnradar[akshare]'``), imported lazily on the first network
call. The pieces: :mod:`.spec` (every AkShare function used, its columns, units and schema-drift check),
:mod:`.fetch` (throttle, retry with back-off, on-disk raw cache, injectable fetcher), :mod:`.transform` (raw
frames -> bundle tables), :mod:`.sync` (incremental, resumable sync into a bundle and the store),
:mod:`.catalog` (series written, and which seed inputs AkShare can and cannot supply).

>>> # from cnradar.store import Store
>>> # with Store.open() as s: sync(s, until="2024-06-28", families=["macro", "rates"])
"""

from cnradar.sources.akshare.catalog import SEED_INPUTS, SERIES, unsupplied
from cnradar.sources.akshare.fetch import Call, RawCache, ResilientFetcher, akshare_fetcher, load_akshare
from cnradar.sources.akshare.spec import FUNCTIONS, FunctionSpec, validate_frame
from cnradar.sources.akshare.sync import FAMILIES, SyncOptions, SyncResult, sync, write_bundle

__all__ = ["FAMILIES", "FUNCTIONS", "SEED_INPUTS", "SERIES", "Call", "FunctionSpec", "RawCache",
           "ResilientFetcher", "SyncOptions", "SyncResult", "akshare_fetcher", "load_akshare", "sync",
           "unsupplied", "validate_frame", "write_bundle"]
