"""Relevance over the demo content: for each query, in Korean, English and both, the lesson
that must come first. The queries name what is specific to one lesson (its title, a word of
its own), so that more lessons in content/lessons do not change the answer."""

from pathlib import Path

import pytest
from django.core.management import call_command

from tests.search.conftest import found

CONTENT = Path(__file__).resolve().parents[2] / "content" / "lessons"


@pytest.fixture
def demo(db):
    """The demo content (imported once per test: the table below is one test)."""
    call_command("import_lessons", str(CONTENT), verbosity=0)


EXPECTED_FIRST = [
    ("역사", "history-arc"),  # two syllables; in the text as 역사는
    ("역사를", "history-arc"),  # the particle of the query is dropped too
    ("딥러닝", "key-components"),  # as 딥러닝의, 딥러닝은, 딥러닝 in many lessons; most in this one
    ("ResNet", "resnet"),  # the title, ahead of lessons that mention it
    ("resnet", "resnet"),  # whatever the case
    ("RESNET의", "resnet"),
    ("벽돌깨기", "dqn"),  # in the text as 벽돌깨기를
    ("위조지폐범", "gan"),
    ("경찰", "gan"),  # two syllables
    ("Transformer", "transformer"),  # the title, ahead of History Arc and BERT that mention it
    ("attention", "attention-in-seq2seq"),  # the title says it; the Transformer lessons come after
    ("multi-head attention", "self-attention-and-multi-head"),
    ("LSTM", "lstm"),
    ("U-Net", "semantic-segmentation"),
    ("YOLO", "object-detection"),
    ("multi-layer perceptron", "multi-layer-perceptron"),  # the whole title
    ("activation", "activation-functions"),
    ("SimCLR", "self-supervised-learning"),
    ("Transformer 병렬화", "transformer"),  # mixed: both terms in two lessons, the title decides
    ("GAN 경찰", "gan"),  # mixed, with a two-syllable Korean term
    ("skip connection", "resnet"),
    ("딥러닝의 역사", "history-arc"),  # both words, each with or without its particle
]


def test_each_query_ranks_the_expected_lesson_first(demo):
    misses = {}
    for query, first in EXPECTED_FIRST:
        results = found(query)
        if not results or results[0] != first:
            misses[query] = (first, results[:3])
    assert not misses, misses


def test_every_term_must_match(demo):
    assert found("ResNet 벽돌깨기") == []
    assert found("경찰 transformer") == []


def test_nothing_is_found_for_words_no_lesson_has(demo):
    assert found("zebra") == []
    assert found("얼룩말") == []
