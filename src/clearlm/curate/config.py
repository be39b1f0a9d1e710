"""Typed settings of every curation step; `[curate.<step>]` tables in a recipe.

Defaults follow the published rules (Gopher, C4, FineWeb, FineWeb's MinHash 5-gram 14×8) except
where books need otherwise, and say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class HtmlConfig:
    """Main-text extraction from HTML pages (trafilatura); navigation, footers and markup are removed."""

    favor_recall: bool = True
    include_tables: bool = True


@dataclass
class BoilerplateConfig:
    """Strip known wrappers (Project Gutenberg header, footer and licence); the stripped text is evidence."""

    gutenberg: bool = True


@dataclass
class NormalizeConfig:
    """Unicode normalisation and whitespace cleanup."""

    unicode_form: str = "NFC"
    # Collapse runs of spaces/tabs, strip trailing spaces, at most this many consecutive blank lines.
    max_blank_lines: int = 2


@dataclass
class PiiConfig:
    """Redact personal data with typed placeholders; counts are recorded as `pii.<kind>` flags."""

    kinds: list[str] = field(default_factory=lambda: ["email", "phone", "ip", "credit_card"])
    placeholder: str = "<{KIND}>"  # e.g. <EMAIL>, <PHONE>, <IP>, <CREDIT_CARD>


@dataclass
class LanguageConfig:
    """Offline language identification; documents outside `keep` are dropped as language.<code>."""

    keep: list[str] = field(default_factory=lambda: ["en"])
    min_score: float = 0.65
    # Characters of text the identifier looks at (from the middle of long documents).
    sample_chars: int = 20_000


@dataclass
class GopherQualityConfig:
    """Gopher (Rae et al. 2021) quality rules. max_doc_words is raised from Gopher's 100,000: books run
    longer, and the default drops 30 of the 150 Gutenberg books."""

    min_doc_words: int = 50
    max_doc_words: int = 2_000_000
    min_avg_word_length: float = 3.0
    max_avg_word_length: float = 10.0
    max_symbol_word_ratio: float = 0.1
    max_bullet_lines_ratio: float = 0.9
    max_ellipsis_lines_ratio: float = 0.3
    max_non_alpha_words_ratio: float = 0.8
    min_stop_words: int = 2


@dataclass
class GopherRepetitionConfig:
    """Gopher repetition rules (duplicate lines/paragraphs, top n-gram and duplicate n-gram fractions)."""

    dup_line_frac: float = 0.3
    dup_para_frac: float = 0.3
    dup_line_char_frac: float = 0.2
    dup_para_char_frac: float = 0.2
    top_n_grams: list[float] = field(default_factory=lambda: [0.20, 0.18, 0.16])  # n = 2, 3, 4
    dup_n_grams: list[float] = field(
        default_factory=lambda: [0.15, 0.14, 0.13, 0.12, 0.11, 0.10]
    )  # n = 5..10


@dataclass
class C4Config:
    """C4 (Raffel et al. 2020) line and document rules."""

    min_words_per_line: int = 3
    min_num_sentences: int = 5
    max_word_length: int = 1000
    filter_no_terminal_punct: bool = True
    filter_lorem_ipsum: bool = True
    filter_javascript: bool = True
    filter_curly_bracket: bool = True
    filter_policy: bool = True


@dataclass
class FineWebConfig:
    """FineWeb (Penedo et al. 2024) quality rules."""

    line_punct_thr: float = 0.12
    short_line_thr: float = 0.67
    short_line_length: int = 30
    char_duplicates_ratio: float = 0.01
    new_line_ratio: float = 0.3


@dataclass
class DedupConfig:
    """Exact (normalised content hash) and near (MinHash + LSH) deduplication across the whole stage."""

    exact: bool = True
    near: bool = True
    ngram: int = 5  # word shingles
    bands: int = 14
    rows: int = 8  # hashes per band; bands × rows permutations
    seed: int = 1
    # Near duplicates are confirmed against this estimated Jaccard before one is dropped.
    threshold: float = 0.8


@dataclass
class CurateConfig:
    """Which steps run, in order, and each step's settings.

    Step names: html, boilerplate, normalize, pii, language, quality.gopher, quality.gopher_repetition,
    quality.c4, quality.fineweb, dedup (exact + near, across all tasks, after the per-document steps).
    """

    steps: list[str] = field(
        default_factory=lambda: [
            "html",
            "boilerplate",
            "normalize",
            "language",
            "quality.gopher",
            "quality.gopher_repetition",
            # quality.c4 and quality.fineweb are available but not default: they assume one paragraph
            # per line (web text); on hard-wrapped books FineWeb drops 76 of the 150 Gutenberg books
            # (line_punct_ratio, char_dup_ratio) and C4 removes ~88 % of lines.
            "pii",
            "dedup",
        ]
    )
    # Record what every rule would do, but drop nothing.
    dry_run: bool = False
    html: HtmlConfig = field(default_factory=HtmlConfig)
    boilerplate: BoilerplateConfig = field(default_factory=BoilerplateConfig)
    normalize: NormalizeConfig = field(default_factory=NormalizeConfig)
    pii: PiiConfig = field(default_factory=PiiConfig)
    language: LanguageConfig = field(default_factory=LanguageConfig)
    gopher: GopherQualityConfig = field(default_factory=GopherQualityConfig)
    gopher_repetition: GopherRepetitionConfig = field(default_factory=GopherRepetitionConfig)
    c4: C4Config = field(default_factory=C4Config)
    fineweb: FineWebConfig = field(default_factory=FineWebConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
