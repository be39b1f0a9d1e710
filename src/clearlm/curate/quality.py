"""Quality filters: Gopher quality and repetition, C4 and FineWeb, as datatrove 0.10 applies them.

The rules live in `quality_gopher`, `quality_repetition`, `quality_c4` and `quality_fineweb`; this
module is where the rest of clearlm imports them from. All four share one tokenisation of each
document (`clearlm.curate.words`), so a chain of them splits a text into words once.

Every reason code a filter can write is in `QUALITY_REASONS`, with a one-line description.
"""

from __future__ import annotations

from clearlm.curate import quality_c4, quality_fineweb, quality_gopher, quality_repetition
from clearlm.curate.quality_c4 import C4Quality
from clearlm.curate.quality_fineweb import FineWebQuality
from clearlm.curate.quality_gopher import GopherQuality
from clearlm.curate.quality_repetition import GopherRepetition

QUALITY_REASONS: dict[str, str] = {
    **quality_gopher.REASONS,
    **quality_repetition.REASONS,
    **quality_c4.REASONS,
    **quality_fineweb.REASONS,
}

__all__ = ["QUALITY_REASONS", "C4Quality", "FineWebQuality", "GopherQuality", "GopherRepetition"]
