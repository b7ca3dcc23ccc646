"""vLLM's sampling parameters in the generated trees (isobench's stand-in, no vLLM code)."""


class SamplingParams:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)
