"""The privacy accountant of DP-SGD: the Renyi differential privacy (RDP) of the sampled Gaussian
mechanism, composed over steps and converted to (epsilon, delta).

One step of DP-SGD draws each training example with probability q (Poisson sampling), clips each
drawn example's gradient to norm C and adds Gaussian noise of standard deviation sigma * C to their
sum. For an integer order alpha >= 2 its RDP is exactly (Mironov, Talwar and Zhang, "Renyi
Differential Privacy of the Sampled Gaussian Mechanism", 2019, section 3.3):

    RDP(alpha) = log( sum_{k=0..alpha} C(alpha, k) (1 - q)^(alpha - k) q^k exp((k^2 - k) / (2 sigma^2)) ) / (alpha - 1)

(q = 1 gives the Gaussian mechanism's alpha / (2 sigma^2)). RDP adds up over steps, and T steps at
order alpha give (epsilon, delta)-DP with epsilon = T RDP(alpha) + log(1 / delta) / (alpha - 1)
(Mironov, "Renyi Differential Privacy", 2017, Proposition 3); the accountant takes the best order.
Only integer orders, where the sum is exact: fractional ones would tighten epsilon a little, never
loosen it. The browser's accountant (src/privacy/accountant.ts) is a port of this one; the parity
test compares them on a grid (test/fixtures/make-privacy-golden.py).
"""
import math

# The orders tried: every integer from 2 to 64, then sparser up to 256 (large orders suit small
# epsilons; the best order for typical DP-SGD settings lies between 4 and 40).
ORDERS = tuple(range(2, 65)) + (80, 96, 128, 192, 256)


def _log_add(a, b):
    """log(exp(a) + exp(b)) without overflow."""
    if a == -math.inf:
        return b
    if b == -math.inf:
        return a
    hi, lo = max(a, b), min(a, b)
    return hi + math.log1p(math.exp(lo - hi))


def rdp_sampled_gaussian(q, sigma, alpha):
    """The RDP of one step at integer order alpha, for sampling rate q and noise multiplier sigma."""
    if not 0 <= q <= 1:
        raise ValueError(f"the sampling rate must be in [0, 1], got {q}")
    if sigma <= 0:
        raise ValueError(f"the noise multiplier must be positive, got {sigma}")
    if alpha != int(alpha) or alpha < 2:
        raise ValueError(f"the order must be an integer of at least 2, got {alpha}")
    if q == 0:
        return 0.0
    if q == 1:
        return alpha / (2 * sigma ** 2)
    log_a = -math.inf
    for k in range(alpha + 1):
        log_binomial = math.lgamma(alpha + 1) - math.lgamma(k + 1) - math.lgamma(alpha - k + 1)
        term = log_binomial + (alpha - k) * math.log1p(-q) + k * math.log(q) + (k * k - k) / (2 * sigma ** 2)
        log_a = _log_add(log_a, term)
    return log_a / (alpha - 1)


def epsilon(q, sigma, steps, delta, orders=ORDERS):
    """(epsilon, best order) after `steps` steps of DP-SGD, for the given delta."""
    if not 0 < delta < 1:
        raise ValueError(f"delta must be in (0, 1), got {delta}")
    if steps < 0 or steps != int(steps):
        raise ValueError(f"steps must be a whole number of at least 0, got {steps}")
    best = (math.inf, orders[0])
    for alpha in orders:
        eps = steps * rdp_sampled_gaussian(q, sigma, alpha) + math.log(1 / delta) / (alpha - 1)
        if eps < best[0]:
            best = (eps, alpha)
    return best


def dp_sgd_gradient(per_example, clip, sigma, noise, lot_size):
    """DP-SGD's gradient from per-example gradients `per_example` [B, P] (a torch tensor): each row
    scaled to norm at most `clip` (rows shorter are kept), summed, Gaussian noise `noise` [P] (standard
    normal draws) of standard deviation sigma * clip added, and divided by the expected lot size
    (Abadi et al. 2016, Algorithm 1). The browser's port is src/privacy/dp-sgd.ts."""
    import torch

    if clip <= 0:
        raise ValueError(f"the clipping norm must be positive, got {clip}")
    if sigma < 0:
        raise ValueError(f"the noise multiplier must be at least 0, got {sigma}")
    norms = per_example.norm(dim=1, keepdim=True)
    scale = torch.clamp(clip / torch.clamp(norms, min=1e-12), max=1.0)
    return ((per_example * scale).sum(dim=0) + sigma * clip * noise) / lot_size
