"""The stand-in tokenizer of the rehearsal: words are tokens. Token id N is the word "tN"; any other
word maps to a stable id by its hash. So decode(encode(ids)) gives the ids back, and a generated
text of N tokens tokenizes to N tokens, as the clients count them.

Like transformers offline, a tokenizer is only found where the prefetch cache holds one: a local
folder, or a snapshot in $HF_HOME/hub/models--ORG--NAME/snapshots/*/ with a tokenizer file.
Standard library only.
"""

import glob
import hashlib
import json
import os

VOCAB = 32000
SPECIAL = 3  # 0 <unk>, 1 <s>, 2 </s>
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "tokenizer.model", "vocab.json")


def snapshot_of(name):
    """The folder that holds `name` offline (a path, or its newest snapshot in the hub cache), or None."""
    if os.path.isdir(name):
        return name
    home = os.environ.get("HF_HOME") or os.path.join(os.path.expanduser("~"), ".cache", "huggingface")
    found = glob.glob(os.path.join(home, "hub", "models--" + name.replace("/", "--"), "snapshots", "*"))
    return sorted(found, key=os.path.getmtime)[-1] if found else None


def offline_error(name, what):
    return OSError(
        "We couldn't connect to 'https://huggingface.co' to load the files, and couldn't find them in the "
        "cached files. %s of %s is not in the cache (HF_HUB_OFFLINE=1). [isobench stand-in]" % (what, name)
    )


def word_id(word):
    if word.startswith("t") and word[1:].isdigit():
        n = int(word[1:])
        if n < VOCAB:
            return n
    return SPECIAL + int(hashlib.sha1(word.encode("utf-8")).hexdigest()[:8], 16) % (VOCAB - SPECIAL)


class Encoding(dict):
    """What calling a tokenizer returns: input_ids as a key and as an attribute."""

    def __getattr__(self, key):
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key)


class StandInTokenizer(object):
    """Enough of a transformers tokenizer for the benchmark clients and the stand-in engine."""

    is_fast = True
    padding_side = "left"
    truncation_side = "left"
    chat_template = "{% for m in messages %}{{ m['content'] }} {% endfor %}"
    bos_token, eos_token, unk_token, pad_token = "<s>", "</s>", "<unk>", "</s>"
    bos_token_id, eos_token_id, unk_token_id, pad_token_id = 1, 2, 0, 2
    all_special_ids = [0, 1, 2]
    all_special_tokens = ["<unk>", "<s>", "</s>"]
    all_special_tokens_extended = ["<unk>", "<s>", "</s>"]
    special_tokens_map = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"}
    model_max_length = 131072
    max_token_id = VOCAB - 1
    _vocab = None

    def __init__(self, name, folder):
        self.name_or_path = name
        self.folder = folder
        self.vocab_size = VOCAB

    @classmethod
    def from_pretrained(cls, name, *args, **kwargs):
        name = str(name)
        folder = snapshot_of(name)
        if folder is None or not any(os.path.exists(os.path.join(folder, f)) for f in TOKENIZER_FILES):
            raise offline_error(name, "the tokenizer")
        return cls(name, folder)

    def __len__(self):
        return VOCAB

    def get_vocab(self):
        if StandInTokenizer._vocab is None:
            StandInTokenizer._vocab = {"t%d" % i: i for i in range(VOCAB)}
        return dict(StandInTokenizer._vocab)

    def add_special_tokens(self, tokens, **kwargs):
        return 0

    def _pad(self, *args, **kwargs):
        return args[0] if args else {}

    def encode(self, text, add_special_tokens=False, **kwargs):
        if isinstance(text, (list, tuple)):
            text = " ".join(map(str, text))
        return [word_id(w) for w in str(text).split()]

    def __call__(self, text, add_special_tokens=False, **kwargs):
        if isinstance(text, (list, tuple)) and text and not isinstance(text[0], int):
            return Encoding(input_ids=[self.encode(t) for t in text], attention_mask=None)
        ids = self.encode(text)
        return Encoding(input_ids=ids, attention_mask=[1] * len(ids))

    def decode(self, ids, skip_special_tokens=False, **kwargs):
        if isinstance(ids, int):
            ids = [ids]
        return " ".join("t%d" % int(i) for i in ids if not (skip_special_tokens and int(i) < SPECIAL))

    def batch_decode(self, batch, **kwargs):
        return [self.decode(ids, **kwargs) for ids in batch]

    def convert_ids_to_tokens(self, ids, skip_special_tokens=False):
        if isinstance(ids, int):
            return "t%d" % ids
        return ["t%d" % i for i in ids]

    def convert_tokens_to_ids(self, tokens):
        if isinstance(tokens, str):
            return word_id(tokens)
        return [word_id(t) for t in tokens]

    def convert_tokens_to_string(self, tokens):
        return " ".join(tokens)

    def num_special_tokens_to_add(self, pair=False):
        return 0

    def apply_chat_template(self, messages, tokenize=True, add_generation_prompt=False, **kwargs):
        parts = []
        for m in messages:
            c = m.get("content") if isinstance(m, dict) else str(m)
            if isinstance(c, list):
                c = " ".join(p.get("text", "") for p in c if isinstance(p, dict))
            parts.append(str(c))
        text = " ".join(parts)
        return self.encode(text) if tokenize else text

    def get_added_vocab(self):
        return {}

    def save_pretrained(self, folder, **kwargs):
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
            json.dump({"isobench_standin": True}, f)
