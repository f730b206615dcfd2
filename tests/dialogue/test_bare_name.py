"""A name typed on its own, where another answer (a colour) was expected: taken only when it
cannot be a colour, a size or a word of agreement."""

import pytest

from dialogue.flows.contact import bare_name
from dialogue.flows.variants import COLOUR_WORDS


@pytest.mark.parametrize("text", ["王芳", "张三", "刘洋", "Wang Fang", "Li Lei"])
def test_names_are_taken(text):
    assert bare_name(text, "zh" if not text.isascii() else "en", set(COLOUR_WORDS)) == text


@pytest.mark.parametrize("text", ["白色", "黑的", "随便", "金色", "这个", "大号", "Space Grey", "Rose Gold", "Dark Blue",
                                  "Yes Please", "wang fang", "北京", "The First"])
def test_other_short_answers_are_not_names(text):
    assert bare_name(text, "zh" if not text.isascii() else "en", set(COLOUR_WORDS)) is None
