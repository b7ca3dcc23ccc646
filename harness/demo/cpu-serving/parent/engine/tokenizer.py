"""Splits text into 4-character tokens and joins them back."""

TOKEN_CHARS = 4


def tokenize(text):
    """Returns the tokens of `text`."""
    tokens = []
    rest = text
    while rest:
        tokens.append(rest[:TOKEN_CHARS])
        rest = rest[TOKEN_CHARS:]
    return tokens


def detokenize(tokens):
    """Returns the text of `tokens`."""
    return "".join(tokens)
