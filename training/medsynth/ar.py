"""Class-conditional autoregressive transformer in the classic two-stage form (van den Oord et al.
2017; Esser et al. 2021): a small vector-quantised autoencoder turns an image or beat into a short
grid or sequence of discrete tokens, and a small causal transformer, prompted with a class token,
predicts the tokens one at a time in raster order.

stage 1, VQ autoencoder (trained first; frozen while the transformer trains):
  encoder:  conv, SiLU -> [conv, SiLU, avg-pool /2] per level -> conv, SiLU -> 1x1 conv to code_dim
  quantise: each position's vector -> the index of its nearest codebook row (squared L2; ties: lowest)
  decoder:  codebook rows -> conv, SiLU -> [nearest x2, conv, SiLU, conv, SiLU] per level -> conv
stage 2, GPT (pre-LayerNorm, Radford et al. 2019):
  input:    [class token, code_0, ..., code_{N-2}] -> embeddings + learned positions
  block:    h = h + proj(attention(ln1(h))) (causal, `heads` heads, scale 1/sqrt(head width))
            h = h + fc2(gelu_tanh(fc1(ln2(h))))
  output:   logits over the codebook at every position i, for code_i
  class:    one of num_classes, or the null class (num_classes) for the unconditional prediction
            that guidance extrapolates from (dropped to it during training with class_dropout)

Sampling (`sample_tokens`): position by position with a key/value cache, logits guided
(l_null + g (l_class - l_null)), then divided by the temperature, filtered (`filter_logits`: top-k,
then top-p) and drawn. The browser does the same (src/models/ar.ts, src/diffusion/tokens.ts).
"""
import math
from dataclasses import dataclass
from typing import Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from .layers import avg_pool, conv

LN_EPS = 1e-5


@dataclass
class ARConfig:
    dims: int = 2
    in_channels: int = 1
    size: int = 28                          # H = W for images, L for signals
    num_classes: int = 2
    # stage 1: the VQ autoencoder
    vq_channels: Tuple[int, ...] = (32, 64)  # encoder width per downsampling level (the decoder mirrors it)
    kernel: int = 3
    codebook_size: int = 256
    code_dim: int = 32
    # stage 2: the transformer
    width: int = 128
    layers: int = 4
    heads: int = 4
    mlp_ratio: int = 4


def token_shape(cfg: ARConfig):
    low = cfg.size // 2 ** len(cfg.vq_channels)
    assert low * 2 ** len(cfg.vq_channels) == cfg.size, "size must be divisible by 2^levels"
    return (low,) * cfg.dims


def num_tokens(cfg: ARConfig):
    return math.prod(token_shape(cfg))


class VQEncoder(nn.Module):
    def __init__(self, cfg: ARConfig):
        super().__init__()
        d, k = cfg.dims, cfg.kernel
        c = cfg.vq_channels[0]
        self.conv_in = conv(d, cfg.in_channels, c, k)
        self.convs = nn.ModuleList()
        for c_out in cfg.vq_channels:
            self.convs.append(conv(d, c, c_out, k))
            c = c_out
        self.pool = avg_pool(d)
        self.conv_mid = conv(d, c, c, k)
        self.conv_out = conv(d, c, cfg.code_dim, 1)

    def forward(self, x):
        h = F.silu(self.conv_in(x))
        for c in self.convs:
            h = self.pool(F.silu(c(h)))                              # halves each spatial dim
        return self.conv_out(F.silu(self.conv_mid(h)))               # (B, code_dim, *S_low)


class VQDecoder(nn.Module):
    def __init__(self, cfg: ARConfig):
        super().__init__()
        d, k = cfg.dims, cfg.kernel
        c = cfg.vq_channels[-1]
        self.conv_in = conv(d, cfg.code_dim, c, k)
        self.convs = nn.ModuleList()
        for c_out in reversed(cfg.vq_channels):
            self.convs.append(nn.ModuleList([conv(d, c, c_out, k), conv(d, c_out, c_out, k)]))
            c = c_out
        self.conv_out = conv(d, c, cfg.in_channels, k)

    def forward(self, e):
        h = F.silu(self.conv_in(e))
        for a, b in self.convs:
            h = F.silu(b(F.silu(a(F.interpolate(h, scale_factor=2, mode="nearest")))))
        return self.conv_out(h)                                      # (B, C, *S)


class VQAutoencoder(nn.Module):
    def __init__(self, cfg: ARConfig):
        super().__init__()
        self.cfg = cfg
        self.encoder = VQEncoder(cfg)
        self.codebook = nn.Embedding(cfg.codebook_size, cfg.code_dim)
        nn.init.uniform_(self.codebook.weight, -1 / cfg.codebook_size, 1 / cfg.codebook_size)
        self.decoder = VQDecoder(cfg)

    def nearest(self, z):
        """(B, D, *S) encoder output -> (B, N) codebook indices, positions in raster order."""
        flat = z.flatten(2).transpose(1, 2)                          # (B, N, D)
        e = self.codebook.weight                                     # (K, D)
        dist = (flat ** 2).sum(-1, keepdim=True) - 2 * flat @ e.t() + (e ** 2).sum(-1)   # (B, N, K)
        return dist.argmin(-1)

    def encode(self, x):
        """Images or beats (network units) -> (B, N) tokens."""
        return self.nearest(self.encoder(x))

    def embed(self, tokens):
        """(B, N) tokens -> (B, D, *S_low) codebook rows laid out on the token grid."""
        B = tokens.shape[0]
        e = self.codebook(tokens)                                    # (B, N, D)
        return e.transpose(1, 2).reshape(B, self.cfg.code_dim, *token_shape(self.cfg))

    def decode(self, tokens):
        return self.decoder(self.embed(tokens))

    def forward(self, x):
        """-> (reconstruction with the straight-through estimator, tokens, codebook loss, commitment loss)."""
        z = self.encoder(x)
        tokens = self.nearest(z)
        q = self.embed(tokens)
        codebook_loss = F.mse_loss(q, z.detach())
        commitment = F.mse_loss(z, q.detach())
        q = z + (q - z).detach()                                     # gradients pass straight through
        return self.decoder(q), tokens, codebook_loss, commitment


class Linear(nn.Linear):
    """nn.Linear (same weights, same export), computed as a 1x1 convolution over (rows, in, 1, 1):
    this PyTorch build's generic BLAS makes a plain matrix product about ten times slower than its
    oneDNN convolution on a CPU."""

    def forward(self, x):
        rows = x.reshape(-1, self.in_features, 1, 1)
        return F.conv2d(rows, self.weight[:, :, None, None], self.bias).reshape(*x.shape[:-1], self.out_features)


def gelu_tanh(x):
    """GELU, tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


class Block(nn.Module):
    def __init__(self, cfg: ARConfig):
        super().__init__()
        w = cfg.width
        self.heads = cfg.heads
        self.ln1 = nn.LayerNorm(w, eps=LN_EPS)
        self.qkv = Linear(w, 3 * w)
        self.proj = Linear(w, w)
        self.ln2 = nn.LayerNorm(w, eps=LN_EPS)
        self.fc1 = Linear(w, cfg.mlp_ratio * w)
        self.fc2 = Linear(cfg.mlp_ratio * w, w)

    def forward(self, h, cache=None):
        """h: (B, T, W) -> (B, T, W). cache: None (the whole causal sequence) or a dict holding this
        block's keys and values of the earlier positions ("k", "v": (B, heads, T0, hd)), which the new
        positions attend to and are appended to."""
        B, T, W = h.shape
        hd = W // self.heads
        q, k, v = self.qkv(self.ln1(h)).split(W, dim=2)             # each (B, T, W)
        q, k, v = (t.view(B, T, self.heads, hd).transpose(1, 2) for t in (q, k, v))   # (B, heads, T, hd)
        t0 = 0
        if cache is not None:
            if "k" in cache:
                t0 = cache["k"].shape[2]
                k, v = torch.cat([cache["k"], k], 2), torch.cat([cache["v"], v], 2)
            cache["k"], cache["v"] = k, v
        w = q @ k.transpose(2, 3) / math.sqrt(hd)                    # (B, heads, T, t0 + T)
        allowed = torch.ones(T, t0 + T, dtype=torch.bool, device=h.device).tril(t0)
        w = torch.softmax(w.masked_fill(~allowed, float("-inf")), -1)
        a = (w @ v).transpose(1, 2).reshape(B, T, W)
        h = h + self.proj(a)
        return h + self.fc2(gelu_tanh(self.fc1(self.ln2(h))))


class GPT(nn.Module):
    def __init__(self, cfg: ARConfig):
        super().__init__()
        n = num_tokens(cfg)
        self.tok = nn.Embedding(cfg.codebook_size, cfg.width)
        self.cls = nn.Embedding(cfg.num_classes + 1, cfg.width)     # the last row: the null class
        self.pos = nn.Parameter(torch.randn(n, cfg.width) * 0.02)
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg.layers)])
        self.ln_f = nn.LayerNorm(cfg.width, eps=LN_EPS)
        self.head = Linear(cfg.width, cfg.codebook_size)
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)

    def forward(self, tokens, y, start=0, cache=None):
        """Logits for positions start .. start + T - 1. tokens: (B, T) the inputs at those positions,
        where position 0's input is the class (y: (B,), num_classes for none) and position i's is
        code i-1 (tokens[:, 0] is ignored when start is 0). -> (B, T, codebook_size)."""
        T = tokens.shape[1]
        h = self.tok(tokens.clamp(min=0))
        if start == 0:
            h = torch.cat([self.cls(y)[:, None], h[:, 1:]], 1)
        h = h + self.pos[start:start + T]
        for i, b in enumerate(self.blocks):
            h = b(h, None if cache is None else cache.setdefault(i, {}))
        return self.head(self.ln_f(h))

    def teacher_forced(self, codes, y):
        """The training pass: codes (B, N) -> logits (B, N, K) for each code given the ones before it."""
        inputs = torch.cat([torch.zeros_like(codes[:, :1]), codes[:, :-1]], 1)
        return self(inputs, y)


class ARModel(nn.Module):
    """What a run trains and exports: `vq` (stage 1) and `gpt` (stage 2)."""

    def __init__(self, cfg: ARConfig):
        super().__init__()
        self.cfg = cfg
        self.vq = VQAutoencoder(cfg)
        self.gpt = GPT(cfg)


def filter_logits(logits, temperature=1.0, top_k=0, top_p=1.0):
    """(B, K) guided logits -> (B, K) log-probabilities of the distribution tokens are drawn from:
    logits / temperature; then only the top_k largest (0: all); then only the smallest set, largest
    first, whose probability reaches top_p (1: all; the largest is always kept); renormalised.
    Ties at the k-th value are kept; order among equal values is by index. Removed entries are -inf.
    Temperature 0: the largest only (ties: the lowest index).
    src/diffusion/tokens.ts defines the same; test/fixtures/token-sampling-golden.json holds both."""
    if not temperature >= 0:
        raise ValueError(f"temperature must be 0 or more, got {temperature}")
    if temperature == 0:
        keep = F.one_hot(logits.argmax(-1), logits.shape[-1]).bool()
        return torch.zeros_like(logits).masked_fill(~keep, float("-inf"))
    l = logits / temperature
    K = l.shape[-1]
    if top_k and 0 < top_k < K:
        kth = l.topk(top_k, -1).values[:, -1:]
        l = l.masked_fill(l < kth, float("-inf"))
    if top_p < 1.0:
        probs = torch.softmax(l, -1)
        sorted_p, order = probs.sort(dim=-1, descending=True, stable=True)
        before = sorted_p.cumsum(-1) - sorted_p                      # mass of the larger ones
        drop_sorted = before >= top_p                                # the largest is never dropped
        drop = torch.zeros_like(drop_sorted).scatter(-1, order, drop_sorted)
        l = l.masked_fill(drop, float("-inf"))
    return torch.log_softmax(l, -1)


def draw(log_probs, u):
    """Inverse-CDF draw: the first index whose cumulative probability exceeds u (B,) in [0, 1);
    the last index with any probability if rounding leaves u beyond the total."""
    cdf = log_probs.exp().cumsum(-1)                                 # (B, K)
    idx = (cdf <= u[:, None]).sum(-1)
    last = (log_probs > float("-inf")).long().cumsum(-1).argmax(-1)  # last index still allowed
    return torch.minimum(idx, last)


def guided(logits_class, logits_null, guidance):
    return logits_class if guidance == 1.0 else logits_null + guidance * (logits_class - logits_null)


@torch.no_grad()
def sample_tokens(gpt, y, num_classes, n_tokens, generator, guidance=1.0, temperature=1.0, top_k=0, top_p=1.0,
                  uniforms=None):
    """(B,) classes -> (B, N) tokens, one position at a time with a key/value cache. The draw at
    position i takes uniforms[:, i] if given (B, N), else torch.rand from generator."""
    B = len(y)
    guide = guidance != 1.0
    yy = torch.cat([y, torch.full_like(y, num_classes)]) if guide else y
    cache, tokens = {}, torch.zeros(B, n_tokens, dtype=torch.long)
    prev = torch.zeros(len(yy), 1, dtype=torch.long)
    for i in range(n_tokens):
        logits = gpt(prev, yy, start=i, cache=cache)[:, -1]          # (B or 2B, K)
        if guide:
            logits = guided(logits[:B], logits[B:], guidance)
        u = uniforms[:, i] if uniforms is not None else torch.rand(B, generator=generator)
        tokens[:, i] = draw(filter_logits(logits.float().cpu(), temperature, top_k, top_p), u)
        prev = tokens[:, i:i + 1].repeat(2 if guide else 1, 1).to(prev.device)
    return tokens


def build_ar(arch: dict) -> ARModel:
    fields = {k: (tuple(v) if isinstance(v, list) else v) for k, v in arch.items()
              if k in ARConfig.__dataclass_fields__}
    return ARModel(ARConfig(**fields))


@torch.no_grad()
def restart_dead_codes(vq, x, usage, generator):
    """Codebook rows no position chose since the last restart (usage 0) move to encoder outputs of
    the batch x, drawn at random: a dead code costs capacity and never recovers by itself."""
    dead = (usage == 0).nonzero().flatten()
    if len(dead):
        z = vq.encoder(x).flatten(2).transpose(1, 2).reshape(-1, vq.cfg.code_dim)   # (B N, D)
        pick = torch.randint(0, len(z), (len(dead),), generator=generator)
        vq.codebook.weight[dead] = z[pick.to(z.device)]
    usage.zero_()
    return len(dead)


def perplexity(tokens, codebook_size):
    """exp(entropy) of the codes' frequencies: how many codes are in effect used."""
    p = torch.bincount(tokens.flatten(), minlength=codebook_size).float()
    p = p / p.sum()
    return float(torch.exp(-(p[p > 0] * p[p > 0].log()).sum()))
