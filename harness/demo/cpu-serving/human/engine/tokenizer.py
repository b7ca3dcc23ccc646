"""Splits text into 4-character tokens and joins them back."""

TOKEN_CHARS = 4


def tokenize(text):
    """Returns the tokens of `text` (one pass: slicing the rest of the text each step was quadratic)."""
    return [text[i : i + TOKEN_CHARS] for i in range(0, len(text), TOKEN_CHARS)]


def detokenize(tokens):
    """Returns the text of `tokens`."""
    return "".join(tokens)
