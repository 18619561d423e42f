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


def noise_multiplier(q, steps, delta, target_epsilon, low=0.3, high=100.0):
    """The smallest noise multiplier sigma (to 1e-3 relative) whose `steps` steps at sampling rate q
    stay within target_epsilon at delta: what a run is given when its budget is fixed in advance."""
    if target_epsilon <= 0:
        raise ValueError(f"the target epsilon must be positive, got {target_epsilon}")
    if epsilon(q, high, steps, delta)[0] > target_epsilon:
        raise ValueError(f"no noise multiplier up to {high} keeps {steps} steps at q = {q} within "
                         f"epsilon {target_epsilon}")
    while epsilon(q, low, steps, delta)[0] <= target_epsilon and low > 1e-3:
        low /= 2
    while high / low > 1 + 1e-3:                  # epsilon falls as sigma grows: bisect
        mid = math.sqrt(low * high)
        if epsilon(q, mid, steps, delta)[0] <= target_epsilon:
            high = mid
        else:
            low = mid
    return high


def poisson_lot(n, q, generator):
    """Poisson sampling, as the accountant assumes: each of n examples joins the lot independently
    with probability q (so the lot's size varies). -> the indices drawn, a LongTensor."""
    import torch

    return (torch.rand(n, generator=generator) < q).nonzero().squeeze(1)


def per_example_gradients(model, example_loss, *batched):
    """The gradient of example_loss(model_call, *example) for every example of the batch, one vmap'd
    backward pass (functorch) instead of a pass per example. model_call(*inputs) runs `model` with
    its current parameters on a batch of one; example_loss must reduce to a scalar. -> (a list with a
    (B, *shape) tensor per parameter, in model.parameters() order; each example's loss (B,), from the
    same pass)."""
    from functorch import grad_and_value, make_functional, vmap

    functional, params = make_functional(model)
    params = tuple(p.detach() for p in params)       # no graph around the per-example passes: a quarter faster

    def loss_of(params, *example):
        one = [e.unsqueeze(0) for e in example]
        return example_loss(lambda *inputs: functional(params, *inputs), *one)

    grads, losses = vmap(grad_and_value(loss_of), in_dims=(None,) + (0,) * len(batched))(params, *batched)
    return list(grads), losses
