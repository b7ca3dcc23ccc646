"""vLLM's offline API in the generated trees (isobench's stand-in, no vLLM code): the engine needs a
GPU, so constructing it here fails, as the real one does on a host without one."""


class LLM:
    def __init__(self, *args, **kwargs):
        raise RuntimeError("the engine needs a GPU")
