"""Release rules: when a value for a reference period became public.

A series' ``release_rule`` (``series.csv``) gives the release date of an observation whose ``release_date`` the
bundle leaves blank. The grammar (DESIGN.md, extended with the rules the real bundle uses):

=====================  ==================================================================  ====================
rule                   release date                                                        example
=====================  ==================================================================  ====================
``same_day``           the period itself                                                   daily rates
``day+N``              period + N calendar days                                            US VIX, Beijing time
``bday+N``             the N-th SSE trading day after the period                           margin balances
``month_end+N``        N calendar days after the last day of the reference month           NBS PMI (+0 / +1)
``next_month_day:D``   day D of the month after the reference month                        CPI, PPI, loans (15)
``next_month_bday:N``  the N-th SSE trading day of the month after the reference month     Caixin PMI (1)
=====================  ==================================================================  ====================

The rules are conservative defaults, not the true calendar: an actual release date in the bundle always wins,
and a rule-derived row never overrides an explicit one for the same period (see ``Store.observations``).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from cnradar import calendar
from cnradar.errors import BundleError, explain

_RULE = re.compile(
    r"^(?:(?P<same>same_day)|(?P<kind>day|bday|month_end)\+(?P<n>\d+)|(?P<nm>next_month_day|next_month_bday):(?P<d>\d+))$"
)

RULE_HELP = "same_day, day+N, bday+N, month_end+N, next_month_day:D or next_month_bday:N"


def validate_rule(rule: str, where: str) -> None:
    """Raise :class:`BundleError` naming ``where`` when ``rule`` is not in the grammar."""
    if not isinstance(rule, str) or not _RULE.match(rule.strip()):
        raise BundleError(explain(f"{where}: invalid release_rule", f"must be one of {RULE_HELP}", rule,
                                  "Fix the rule in series.csv."))


def apply_rule(rule: str, periods: pd.Series) -> pd.Series:
    """Release dates for reference ``periods`` (datetime64) under ``rule``; vectorised.

    A date the SSE calendar cannot reach (past its end) is ``NaT``: the observation is never public.
    """
    validate_rule(rule, "release rule")
    m = _RULE.match(rule.strip())
    p = pd.to_datetime(periods).dt.normalize()
    if m["same"]:
        return p
    if m["kind"] == "day":
        return p + pd.to_timedelta(int(m["n"]), unit="D")
    if m["kind"] == "month_end":
        return p + pd.offsets.MonthEnd(0) + pd.to_timedelta(int(m["n"]), unit="D")
    if m["kind"] == "bday":
        # the first session after the period is the 1st: count from the last session <= period
        return _nth_session(p, int(m["n"]), side="right", index=periods.index)
    first_next = (p + pd.offsets.MonthEnd(0)) + pd.Timedelta(days=1)
    k = int(m["d"])
    if m["nm"] == "next_month_day":
        return first_next + pd.to_timedelta(k - 1, unit="D")
    # the first session on or after the 1st of the next month is the 1st
    return _nth_session(first_next, k, side="left", index=periods.index)


def _nth_session(anchor: pd.Series, n: int, *, side: str, index: pd.Index) -> pd.Series:
    """The ``n``-th SSE session counted from ``anchor`` (``searchsorted`` ``side`` sets whether a session
    on ``anchor`` itself counts); ``NaT`` where that falls outside the calendar."""
    s = calendar.sessions(calendar.CALENDAR_START, calendar.CALENDAR_END).values
    idx = np.searchsorted(s, anchor.values.astype("datetime64[ns]"), side=side) + (n - 1)
    out = np.full(len(anchor), np.datetime64("NaT"), dtype="datetime64[ns]")
    ok = (idx >= 0) & (idx < len(s))
    out[ok] = s[idx[ok]]
    return pd.Series(out, index=index)
