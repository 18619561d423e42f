"""One place that maps a run's method to its network, and turns a trained generator into samples."""
import json
import os

import torch

from .ar import build_ar, sample_tokens
from .classifier import build_classifier
from .gan import build_generator, draw_latents
from .sampling import Diffusion, sample
from .unet import build_unet
from .vae import build_vae

# a GAN run's model is its generator: what is exported, averaged (EMA) and sampled; train.py keeps
# the discriminator beside it
# an AR run's model holds both of its networks (ar.py ARModel: `vq` and `gpt`)
BUILDERS = {"ddpm": build_unet, "vae": build_vae, "gan": build_generator, "ar": build_ar,
            "classifier": build_classifier}


def build_model(method, arch: dict):
    return BUILDERS[method](arch)


def sample_shape(arch: dict, n):
    """(n, C, H, W) for images, (n, C, L) for signals."""
    return (n, arch["in_channels"], *([arch["size"]] * 2 if arch["dims"] == 2 else [arch["size"]]))


@torch.no_grad()
def generate(method, model, cfg: dict, y, generator, guidance=None, ddim_steps=None):
    """Class-conditional samples in network units. cfg: the run config as a dict; y: (B,) int64.

    DDPM: DDIM with classifier-free guidance, settings from cfg's sampler_defaults (what the card
          tells the browser, and what the card's figures are measured with).
    VAE:  decoder(z ~ N(0, I), y).
    GAN:  generator(z, y), z ~ N(0, I) truncated at cfg's truncation (None: not truncated).
    AR:   vq.decode(tokens), tokens drawn one at a time by the transformer with cfg's token_sampling.
    """
    arch = cfg["arch"]
    shape = sample_shape(arch, len(y))
    model.eval()
    device = next(model.parameters()).device
    y = y.to(device)
    if method == "ddpm":                                             # noise drawn on the CPU generator
        s = cfg["sampler_defaults"]
        # this is the only sampler here: refuse defaults it would not honour rather than measure another one
        if (s["method"], s["spacing"]) != ("ddim", "trailing"):
            raise ValueError(f"the training code samples with DDIM, trailing spacing; the config asks for {s}")
        return sample(model, Diffusion.from_config(cfg), shape, y, null_class=arch["num_classes"],
                      guidance=s["guidance"] if guidance is None else guidance,
                      num_steps=ddim_steps or s["steps"], clip=cfg["clip_sample"],
                      eta=s["eta"], generator=generator, device=device)
    if method == "vae":
        z = torch.randn((len(y), arch["latent_dim"]), generator=generator).to(device)
        return model.decoder(z, y)
    if method == "gan":
        z = draw_latents(len(y), arch["latent_dim"], generator, cfg.get("truncation")).to(device)
        return model(z, y)
    if method == "ar":
        s = cfg["token_sampling"]
        tokens = sample_tokens(model.gpt, y, arch["num_classes"], model.gpt.pos.shape[0], generator,
                               guidance=s["guidance"] if guidance is None else guidance,
                               temperature=s["temperature"], top_k=s["topK"], top_p=s["topP"])
        return model.vq.decode(tokens.to(device))
    raise ValueError(f"{method} does not generate")


def load_checkpoint(path, map_location="cpu"):
    """Our own checkpoints hold RNG states and config dicts beside tensors; torch >= 2.6 would refuse
    them under its weights_only default, so they are loaded as trusted files, explicitly."""
    return torch.load(path, map_location=map_location, weights_only=False)


def load_run(run_dir, weights="ema"):
    """-> (cfg dict, model in eval mode) from run_dir/checkpoint.pt; EMA weights where there are any."""
    ckpt = load_checkpoint(os.path.join(run_dir, "checkpoint.pt"))
    from training.configs import config_from_dict        # here: configs imports this package
    cfg = config_from_dict(ckpt["config"]).to_dict()      # keys added since the run take today's defaults
    model = build_model(cfg["method"], cfg["arch"])
    state = ckpt["ema"]["model"] if (weights == "ema" and ckpt.get("ema")) else ckpt["model"]
    model.load_state_dict(state)
    return cfg, model.eval(), ckpt


def read_json(path, default=None):
    if not os.path.exists(path):
        return default
    with open(path) as f:
        return json.load(f)


def write_json(path, obj, indent=2):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=indent)
        f.write("\n")
    os.replace(tmp, path)
