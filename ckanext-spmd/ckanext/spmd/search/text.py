"""Text normalisation shared by indexing and querying (pure Python).

PostgreSQL does the linguistic work (French and English Snowball stemmers
behind ``unaccent``, see the migration); this module only folds case and
accents where we compare strings ourselves and turns user terms into safe
``tsquery`` source text.
"""
from __future__ import annotations

import re
import unicodedata

_TOKEN_RE = re.compile(r"[^\W_]+", re.UNICODE)

# Terms at least this long are matched as prefixes of indexed stems, so that
# "energie" (stem "energ") also finds "énergétique" (stem "energet").
PREFIX_MIN_LENGTH = 4


def fold(value: str) -> str:
    """Lower-case and strip accents: "Énergie" -> "energie"."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def tokens(value: str) -> list[str]:
    return _TOKEN_RE.findall(fold(value))


def tsquery_source(term: str, *, phrase: bool = False, prefix: bool = True) -> str:
    """``to_tsquery`` input for a user term, or "" when it has no word.

    Every token is quoted and made only of word characters, so the result
    can never be a tsquery syntax error. Tokens of a phrase (or of a single
    term that the tokenizer splits, like "l'eau") must follow each other.
    """
    toks = tokens(term)
    if not toks:
        return ""
    parts = []
    for tok in toks:
        star = ":*" if prefix and not phrase and len(tok) >= PREFIX_MIN_LENGTH else ""
        parts.append(f"'{tok}'{star}")
    return " <-> ".join(parts)


def wildcard_to_like(pattern: str, *, fold_case: bool = False) -> str:
    """Lucene wildcard (``*`` and ``?``, backslash escapes) -> SQL LIKE."""
    out = []
    chars = iter(pattern)
    for c in chars:
        if c == "\\":
            nxt = next(chars, "")
            out.append(_like_escape(nxt))
        elif c == "*":
            out.append("%")
        elif c == "?":
            out.append("_")
        else:
            out.append(_like_escape(c))
    like = "".join(out)
    return fold(like) if fold_case else like


def like_literal(value: str) -> str:
    """A literal string made safe for LIKE."""
    return "".join(_like_escape(c) for c in value)


def _like_escape(c: str) -> str:
    return "\\" + c if c in "%_\\" else c


def has_wildcard(raw: str) -> bool:
    escaped = False
    for c in raw:
        if escaped:
            escaped = False
        elif c == "\\":
            escaped = True
        elif c in "*?":
            return True
    return False


def unescape(raw: str) -> str:
    return re.sub(r"\\(.)", r"\1", raw)
