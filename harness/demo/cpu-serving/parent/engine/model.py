"""A deterministic stand-in for a language model: the next token depends on a rolling hash."""

VOCAB = [f"w{i:02d} " for i in range(64)]


def prefill(prompt_tokens):
    """Summarises the prompt into a state (the 'KV cache' of this toy)."""
    state = 0
    for tok in prompt_tokens:
        for ch in tok:
            state = (state * 131 + ord(ch)) % 1_000_003
    return state


def decode_step(state, step):
    """Returns the next state and token."""
    state = (state * 7919 + step * 104729) % 1_000_003
    return state, VOCAB[state % len(VOCAB)]


def candidates(state, k):
    """The k most likely tokens after `state`, with log-probabilities (the chosen token first)."""
    return {VOCAB[(state + j) % len(VOCAB)]: -0.5 * j - 0.1 for j in range(k)}
