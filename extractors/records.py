"""Records produced by the extractors.

Plain dataclasses: the contract between extractors (pure functions over
normalized text) and the pipeline (which adds doc_id/section and writes them
through ``schemas/``).  Every span (char_start, char_end) indexes the text the
extractor was given, and ``text[char_start:char_end]`` is the mention.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from functools import lru_cache
from typing import Any, Optional


@lru_cache(maxsize=None)
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def as_row(record: Any) -> dict[str, Any]:
    """A dataclass record's fields as a dict, values not copied (``dataclasses.asdict`` deep-copies every
    value: a third of the extraction time on a plan)."""
    names = _field_names(type(record))
    d = getattr(record, "__dict__", None)
    if d is not None and len(d) == len(names) and tuple(d) == names:
        return d.copy()  # the instance dict holds exactly the fields, in order (plain records)
    return {name: getattr(record, name) for name in names}


@dataclass
class Citation:
    """One mention of an instrument in the text."""

    symbol: Optional[str]  # normalized number-and-symbol: "59-NQ/TW", "1673/QĐ-UBND", "80/2020/NĐ-CP"; None for kind "named"
    instrument_type: Optional[str]  # full type name from the symbol's type code ("Thông báo"), else from the cited word
    number: Optional[str]  # "59", "06" (as written, leading zeros kept)
    type_code: Optional[str]  # "NQ", "QĐ", "CTr"; None for a công văn state symbol (1349/BNG-CNV)
    issuer_code: Optional[str]  # "TW", "TU", "UBND", "CP", "BNG", "QH"; joint issuers "BNG-BNV"
    year: Optional[int]  # year embedded in the symbol (80/2020/NĐ-CP) else None
    system: str  # "party" | "normative" | "administrative" | "law" | "named"
    kind: str  # "full" (number + symbol), "short" (number only, "Quy chế 272"), "named" (no number)
    text: str  # surface text of the whole citation (type word .. symbol)
    char_start: int
    char_end: int
    cited_as: Optional[str] = None  # the type word as written in the text ("Công văn", "Chương trình hành động")
    type_mismatch: bool = False  # cited_as disagrees with the symbol's type code
    date_cited: Optional[str] = None  # ISO "2025-01-24" as cited (None when not cited)
    date_text: Optional[str] = None  # "ngày 24/01/2025"
    issuer_named: Optional[str] = None  # "Bộ Chính trị" as named ("của ...", or the body named before the number)
    subject: Optional[str] = None  # the "về ..." clause, trimmed
    name: Optional[str] = None  # for kind "named": "Nghị quyết Đại hội Đại biểu toàn quốc lần thứ XIII của Đảng", "CPTPP"
    unit_code: Optional[str] = None  # công văn unit ("CNV" in 1349/BNG-CNV; "TH" in 4146/UBND-TH)
    section: Optional[str] = None  # filled by the pipeline from the document's section tree
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Locality:
    name: str  # surface form as in the text: "Sê Koong", "thủ đô Viêng Chăn" -> "Viêng Chăn"
    canonical: str  # canonical English name: "Sekong", "Vientiane Capital"; for countries "Laos"
    country: str  # ISO 3166-1 alpha-2: "LA"
    kind: str  # province | prefecture | city | region | border gate | capital | autonomous region | state | country ...
    char_start: int
    char_end: int
    section: Optional[str] = None


@dataclass
class DateMention:
    text: str  # "trước ngày 15/5", "giai đoạn 2021 - 2025"
    value: str  # ISO; partial kept partial: "2025-05", "--05-15" (no year), "2021/2025" for a period
    kind: str  # instrument_date | deadline | period | horizon | anniversary | event | other
    char_start: int
    char_end: int
    section: Optional[str] = None


@dataclass
class Target:
    text: str  # the sentence or clause holding the target
    value: float
    comparator: str  # "=", ">=", "<="
    unit: str  # object counted: "đoàn ra", "thỏa thuận quốc tế", "%", "triệu USD", "lần/năm"
    char_start: int
    char_end: int
    period: Optional[str] = None  # "2025", "2024-2027", "per year"
    appendix: Optional[str] = None  # "Phụ lục 1"
    section: Optional[str] = None


@dataclass
class Relation:
    """A relation stated in the text between two cited instruments."""

    source: int  # index into the citation list given to the relation extractor
    relation: str  # implements | amends | replaces | issued_with
    target: int
    text: str
    char_start: int
    char_end: int
