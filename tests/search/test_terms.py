"""What a learner types becomes the terms searched for: particles dropped, case folded."""

import pytest

from search.terms import MAX_TERMS, search_terms


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        ("딥러닝의 역사를", ["딥러닝", "역사"]),  # particles at the end of Korean words
        ("학습에서는", ["학습"]),  # the longest particle, not just its last syllable
        ("ResNet의", ["resnet"]),  # a particle after an English word
        ("ResNet 구조", ["resnet", "구조"]),
        ('  "GAN"?  ', ["gan"]),  # surrounding punctuation
        ("역사 역사는 역사", ["역사"]),  # each term once
        ("이 가", ["이", "가"]),  # a word that is only a particle stays as typed
        ("결과", ["결과"]),  # no one-syllable stem is left
        ("C++", ["c++"]),
        ("   ", []),
    ],
)
def test_query_becomes_terms(query, terms):
    assert search_terms(query) == terms


def test_a_long_query_is_cut_to_a_bounded_number_of_terms():
    assert len(search_terms(" ".join(f"word{n}" for n in range(50)))) == MAX_TERMS
