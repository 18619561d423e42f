"""Exponential moving average of model weights (what the generators export and are judged by)."""
import copy

import torch


class EMA:
    """shadow <- d * shadow + (1 - d) * param, with d = min(decay, (1 + n) / (10 + n)) after n updates.

    The warm-up on d (as in TensorFlow's ExponentialMovingAverage with num_updates) keeps the
    average from being dominated by the random initial weights in short CPU runs.
    """

    def __init__(self, model, decay=0.999):
        self.decay = decay
        self.updates = 0
        self.model = copy.deepcopy(model).eval()
        for p in self.model.parameters():
            p.requires_grad_(False)

    @torch.no_grad()
    def update(self, model):
        self.updates += 1
        d = min(self.decay, (1 + self.updates) / (10 + self.updates))
        for s, p in zip(self.model.parameters(), model.parameters()):
            s.mul_(d).add_(p.detach(), alpha=1 - d)
        for s, b in zip(self.model.buffers(), model.buffers()):
            s.copy_(b)

    def state_dict(self):
        return {"decay": self.decay, "updates": self.updates, "model": self.model.state_dict()}

    def load_state_dict(self, state):
        self.decay, self.updates = state["decay"], state["updates"]
        self.model.load_state_dict(state["model"])
