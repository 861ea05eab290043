import pytest

from asymmetry_qda.pipelines import sentence_pipeline
from asymmetry_qda.sentences import split_sentences

from .conftest import requires_model

MODELS = ["blank", pytest.param("auto", marks=requires_model)]


@pytest.mark.parametrize("model", MODELS)
def test_bracketed_annotations_stay_with_the_sentence_they_open(model):
    text = 'P01: Nobody\'s ever said well done for that. [laughs] Anyway. He said "it\'s mine." (pause) Right.'
    [spans] = split_sentences(text, [(5, len(text))], nlp=sentence_pipeline(model))
    assert [text[a:b] for a, b in spans] == [
        "Nobody's ever said well done for that.", "[laughs] Anyway.", 'He said "it\'s mine."', "(pause) Right."]


@pytest.mark.parametrize("model", MODELS)
def test_sentences_never_cross_a_blank_line_and_cover_every_word(model):
    text = "P01: First part of a long answer\n\nand a second paragraph. With two sentences.\n"
    [spans] = split_sentences(text, [(5, len(text) - 1)], nlp=sentence_pipeline(model))
    assert [text[a:b] for a, b in spans] == [
        "First part of a long answer", "and a second paragraph.", "With two sentences."]


def test_punctuation_sentence_starts_on_words_and_on_a_doc_agree():
    import spacy

    from asymmetry_qda.sentences import doc_punctuation_sentence_starts, punctuation_sentence_starts

    doc = spacy.blank("en")('It landed. "Never again!" he said... (Mm.) Right? Yes')
    words = [t.text for t in doc]
    assert doc_punctuation_sentence_starts(doc) == punctuation_sentence_starts(words)
    starts = punctuation_sentence_starts(words)
    # a straight quote after a full stop reads as closing the sentence before (it cannot be told apart)
    assert [words[i] for i in starts] == ["It", "Never", "he", "(", "Right", "Yes"]
