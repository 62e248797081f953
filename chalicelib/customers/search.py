"""What ``GET /admin/customers?search=`` matches: prefixes of search terms (pure rules).

A customer has one search-key entry per term (``customers.store.CustomerSearchItem``):

- ``name``: the whole name, normalised;
- ``word``: each later word of the name (``"doe"`` of ``"John Doe"``), at most
  ``MAX_WORDS`` of them;
- ``email``: the normalised e-mail address;
- ``phone``: the phone number's digits;
- ``zip``: the normalised ZIP.

Normalised means NFKC, case-folded, runs of white space made one space, at most
``MAX_TERM`` characters; a text made only of digits and phone punctuation (``+-().``, space)
becomes its digits, so ``813-555`` and ``(813) 555`` both search the digits ``813555``.
A search is normalised the same way and matches the customers with a term that starts
with it: by prefix, case-insensitive. City, state, address and notes are not searched.
"""

from __future__ import annotations

import re
import unicodedata

MAX_TERM = 200  # characters of a term (and of a search) that count
MAX_WORDS = 8  # later words of a name that get entries of their own
FIELDS = ("name", "word", "email", "phone", "zip")
_PHONE_LIKE = re.compile(r"[0-9+\-(). ]*[0-9][0-9+\-(). ]*")

Term = tuple[str, str]  # (normalised term, field)


def normalise(text: str | None) -> str:
    """The form terms and searches are compared in ("" for nothing)."""
    if not text:
        return ""
    folded = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    if _PHONE_LIKE.fullmatch(folded):
        folded = _digits(folded)
    return folded[:MAX_TERM]


def _digits(text: str) -> str:
    return "".join(c for c in text if "0" <= c <= "9")


def terms(
    name: str | None, email: str | None, phone: str | None, zip: str | None
) -> frozenset[Term]:
    """Every ``(term, field)`` a customer with these values is found by."""
    found: set[Term] = set()
    whole = normalise(name)
    if whole:
        found.add((whole, "name"))
        later = list(dict.fromkeys(normalise(w) for w in whole.split(" ")[1:]))
        found.update((word, "word") for word in later[:MAX_WORDS] if word)
    for field, value in (
        ("email", normalise(email)),
        ("phone", _digits(normalise(phone))[:MAX_TERM]),
        ("zip", normalise(zip)),
    ):
        if value:
            found.add((value, field))
    return frozenset(found)


def prefix_of(search: str | None) -> str:
    """The normalised prefix a search looks for ("" means no search)."""
    return normalise(search)
