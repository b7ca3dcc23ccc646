"""Top-k sampling over a vocabulary of scores."""
import heapq
import random


def top_k(scores, k):
    """The indices of the k largest scores, largest first (a heap: sorting the whole vocabulary was wasted work)."""
    return heapq.nlargest(k, range(len(scores)), key=scores.__getitem__)


def sample(scores, k, rng):
    """Samples one index among the top k, weighted by score."""
    best = top_k(scores, k)
    weights = [scores[i] for i in best]
    return rng.choices(best, weights=weights, k=1)[0]


def generate(batch_size, output_len, vocab_size, k, seed):
    """Generates `output_len` tokens for each of `batch_size` sequences; returns the tokens."""
    rng = random.Random(seed)
    out = []
    for _ in range(batch_size):
        seq = []
        for _ in range(output_len):
            scores = [rng.random() for _ in range(vocab_size)]
            seq.append(sample(scores, k, rng))
        out.append(seq)
    return out
