"""Find a CJK font for the charts.

Charts are rendered by matplotlib with ``svg.fonttype = "path"``: every glyph is written into the SVG as an
outline, so the reader needs no Chinese font for the charts. The font only has to exist on the machine that
*builds* the report. On Debian/Ubuntu install ``fonts-noto-cjk`` (``apt-get install fonts-noto-cjk``; the CI
entry point does this). When no CJK font is found the charts still render (Chinese glyphs become boxes) and
the report's data section shows the warning returned here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from matplotlib import font_manager

#: Preferred CJK families, best first (Noto from Debian's fonts-noto-cjk; the others are common elsewhere).
CJK_CANDIDATES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
    "Noto Sans CJK JP",
)


@dataclass(frozen=True)
class FontChoice:
    """The font family list for matplotlib and a warning when no CJK font was found."""

    families: tuple[str, ...]
    cjk: str | None
    warning: str | None


@lru_cache(maxsize=4)
def find_cjk_font(candidates: tuple[str, ...] = CJK_CANDIDATES) -> FontChoice:
    """Pick the first installed family of ``candidates``; fall back to DejaVu Sans with a warning."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in candidates:
        if name in installed:
            return FontChoice(families=(name, "DejaVu Sans"), cjk=name, warning=None)
    return FontChoice(
        families=("DejaVu Sans",),
        cjk=None,
        warning=(
            "no CJK font found for the charts (looked for "
            + ", ".join(candidates[:4])
            + ", ...); Chinese labels in charts may show as boxes. Install fonts-noto-cjk."
        ),
    )
