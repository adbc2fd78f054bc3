"""From what a learner typed to the terms searched for.

Terms are the words of the query, lower-cased, without surrounding punctuation. A Korean
word may carry a particle (``딥러닝의``, ``역사를``); matching is by substring, so the
stem finds every form of the word, and a particle at the end of a query word is dropped
when a stem of two characters or more remains (``역사를`` searches for ``역사``,
``ResNet의`` for ``resnet``). A stem is a substring of the word, so dropping a syllable
that only looked like a particle finds more, never less.
"""

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8

# Longest first: 에서는 is dropped whole, not just its 는.
PARTICLES = (
    "에서는", "으로는", "에게서", "이라고", "에서", "에게", "으로", "까지", "부터", "처럼", "보다", "이랑", "하고",
    "라고", "은", "는", "이", "가", "을", "를", "의", "에", "와", "과", "도", "만", "로",
)  # fmt: skip
EDGE_PUNCTUATION = "\"'“”‘’`.,;:!?()[]{}<>«»「」『』"


def _without_particle(word: str) -> str:
    for particle in PARTICLES:
        stem = word[: -len(particle)]
        if word.endswith(particle) and len(stem) >= 2 and stem[-1].isalnum():
            return stem
    return word


def search_terms(query: str) -> list[str]:
    """The distinct terms of a query, in order, at most MAX_TERMS of them."""
    terms: list[str] = []
    for word in query[:MAX_QUERY_LENGTH].lower().split():
        term = _without_particle(word.strip(EDGE_PUNCTUATION))
        if term and term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]
