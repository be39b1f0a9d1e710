"""Every reason code the curation steps write, gathered from the steps that own them.

Each step module keeps its own table (the code lives next to the rule); this is the one place that
lists them all, for docs/reasons.md and its test.
"""

from __future__ import annotations

from clearlm.curate.boilerplate import BOILERPLATE_REASONS
from clearlm.curate.dedup import DEDUP_REASONS
from clearlm.curate.html import HTML_REASONS
from clearlm.curate.language import LANGUAGE_REASONS
from clearlm.curate.pii import PII_REASONS
from clearlm.curate.quality import QUALITY_REASONS

CURATE_REASONS: dict[str, str] = {
    **HTML_REASONS,
    **BOILERPLATE_REASONS,
    **LANGUAGE_REASONS,
    **QUALITY_REASONS,
    **PII_REASONS,
    **DEDUP_REASONS,
}
