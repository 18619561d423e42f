"""Train one model within a wall-clock budget.

    /usr/bin/python3 -m training.train --model xray-ddpm --budget-minutes 60 [--resume] [--tiny]

Writes training/runs/<id>/: config.json, checkpoint.pt (model, EMA, optimiser, RNG states; every
few minutes and at the end), loss.csv, samples/step-NNNNNNN.png and summary.json.
"""
import argparse
import csv
import json
import math
import os
import platform
import time
from dataclasses import replace

import numpy as np
import torch
import torch.nn.functional as F

from training.configs import RunConfig, config_from_dict, get_config
from training.medsynth import evaluate as ev
from training.medsynth.ar import perplexity, restart_dead_codes
from training.medsynth.card import architecture as card_architecture
from training.medsynth.data import BatchSampler, augment, load_split, unscale_output
from training.medsynth.ema import EMA
from training.medsynth.gan import build_discriminator, discriminator_loss, draw_latents, generator_loss
from training.medsynth.export import load_export
from training.medsynth.models import build_model, generate, load_checkpoint, write_json
from training.medsynth.png import image_grid, signal_grid, write_png
from training.medsynth.sampling import Diffusion
from training.medsynth.privacy import dp_sgd_gradient, epsilon, noise_multiplier, per_example_gradients, poisson_lot
from training.medsynth.vae import vae_loss, vae_losses

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_DATA = os.path.join(ROOT, "data")
DEFAULT_RUNS = os.path.join(HERE, "runs")


def fit_to_dataset(cfg, index):
    """Write the dataset's facts (class count, channels, size) into the architecture."""
    shape = index["sampleShape"]
    facts = {"num_classes": len(index["classes"])}
    if index["kind"] == "image":
        assert shape[0] == shape[1], "square images only"
        facts.update(in_channels=shape[2], size=shape[0])
    else:
        facts.update(in_channels=1, size=shape[0])
    known = {k: v for k, v in facts.items() if k in type(cfg.arch).__dataclass_fields__}
    return replace(cfg, arch=replace(cfg.arch, **known))


def without_surround_outliers(split):
    """-> (split without the images whose surround is unusual among its own images, what was left out)."""
    border = ev.border_mean(unscale_output(split.x, "image", 1.0))
    out = ev.surround_outliers(border, ev.surround_fences(border))
    keep = torch.from_numpy(~out)
    left_out = {"rule": "border mean (2 px) beyond Tukey's far-out fences of the training images' border means",
                "count": int(out.sum()),
                "byClass": {c: int(out[split.y.numpy() == i].sum()) for i, c in enumerate(split.classes)}}
    return replace(split, x=split.x[keep], y=split.y[keep]), left_out


def hardware():
    if torch.cuda.is_available():
        return torch.cuda.get_device_name(0)
    return f"CPU ({platform.machine()}, {torch.get_num_threads()} threads)"


def learning_rate(cfg, step, progress):
    """Linear warm-up, then constant or (lr_decay "cosine-time") cosine to 0 as progress goes 0 -> 1.
    AR runs: vq_lr for the VQ autoencoder's vq_steps, then lr with a warm-up of its own."""
    base = cfg.lr
    if cfg.method == "ar":
        base, step = (cfg.vq_lr, step) if step < cfg.vq_steps else (cfg.lr, step - cfg.vq_steps)
    lr = base * min(1.0, (step + 1) / max(cfg.warmup_steps, 1))
    if cfg.lr_decay == "cosine-time":
        lr *= 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))
    return lr


def apply_overrides(cfg, pairs):
    """--set key=value (e.g. batch_size=128 on a GPU): values are parsed as JSON, else kept as text;
    the saved config.json records the result, so a run always says what it trained with."""
    for pair in pairs or []:
        key, sep, text = pair.partition("=")
        if not sep or key not in RunConfig.__dataclass_fields__ or key in ("id", "arch", "method", "dataset"):
            raise SystemExit(f"--set {pair!r}: expected key=value with a run setting as key")
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            value = text
        cfg = replace(cfg, **{key: value})
    return cfg


class Trainer:
    def __init__(self, cfg, data_dir, run_dir, device="cpu"):
        self.cfg, self.run_dir, self.device = cfg, run_dir, device
        torch.manual_seed(cfg.seed)
        self.train = load_split(data_dir, cfg.dataset, cfg.train_split, cfg.signal_scale_mv)
        self.kind = self.train.index["kind"]
        self.left_out = None
        if cfg.drop_surround_outliers:
            self.train, self.left_out = without_surround_outliers(self.train)
        self.cfg = cfg = fit_to_dataset(cfg, self.train.index)
        self.cfg_dict = cfg.to_dict()
        self.model = build_model(cfg.method, self.cfg_dict["arch"]).to(device)
        self.ema = EMA(self.model, cfg.ema_decay) if cfg.method != "classifier" else None
        betas = tuple(cfg.adam_betas)
        self.opt = torch.optim.AdamW(self.model.parameters(), lr=cfg.lr, betas=betas, weight_decay=cfg.weight_decay)
        # a GAN's model is its generator; its discriminator trains beside it and is never exported
        self.disc = build_discriminator(self.cfg_dict["arch"]).to(device) if cfg.method == "gan" else None
        self.opt_d = torch.optim.AdamW(self.disc.parameters(), lr=cfg.lr, betas=betas,
                                       weight_decay=cfg.weight_decay) if self.disc else None
        self.batches = BatchSampler(self.train.y.numpy(), cfg.batch_size, cfg.balance_power, cfg.seed)
        self.gen = torch.Generator().manual_seed(cfg.seed + 1)       # augmentation, noise, t, dropout
        self.diffusion = Diffusion.from_config(self.cfg_dict) if cfg.method == "ddpm" else None
        self.step, self.elapsed = 0, 0.0
        self.init_from = None          # the exported model a fine-tuning run started from (its record)
        # AR: how often each code was chosen since the last dead-code restart (not checkpointed: a
        # resumed run counts afresh)
        self.code_usage = torch.zeros(cfg.arch.codebook_size, dtype=torch.long) if cfg.method == "ar" else None
        self.dp = self.dp_settings() if cfg.dp_epsilon is not None else None

    def dp_settings(self):
        """DP-SGD's fixed settings: the sampling rate, and the noise that spends dp_epsilon over max_steps."""
        cfg, n = self.cfg, len(self.train.y)
        if cfg.method != "vae":
            raise SystemExit(f"{cfg.id}: DP-SGD is written for VAEs only, not {cfg.method}")
        if not 0 < cfg.batch_size < n or cfg.max_steps >= 1_000_000:
            raise SystemExit(f"{cfg.id}: DP-SGD needs a lot smaller than the {n} examples and max_steps set "
                             "(the noise is chosen for the whole run)")
        q = cfg.batch_size / n
        return {"sampleRate": q, "expectedLot": cfg.batch_size, "clip": cfg.dp_clip, "delta": cfg.dp_delta,
                "noiseMultiplier": noise_multiplier(q, cfg.max_steps, cfg.dp_delta, cfg.dp_epsilon)}

    def privacy_spent(self):
        """The card's record of a DP-SGD run: its settings and the epsilon of the steps it took."""
        dp = self.dp
        eps, order = epsilon(dp["sampleRate"], dp["noiseMultiplier"], self.step, dp["delta"])
        return {"mechanism": "DP-SGD (Poisson lots, per-example clipping, Gaussian noise)", **dp,
                "steps": self.step, "epsilon": eps, "targetEpsilon": self.cfg.dp_epsilon, "renyiOrder": order,
                "accountant": "RDP of the sampled Gaussian mechanism (training/medsynth/privacy.py)",
                "unit": "one training example"}

    def kl_weight(self):
        return self.cfg.kl_beta * min(1.0, self.step / max(self.cfg.kl_warmup_steps, 1))

    # --- one optimisation step per method -------------------------------------------------------
    def loss(self, x, y):
        cfg, g = self.cfg, self.gen
        if cfg.method == "ddpm":
            null = torch.full_like(y, cfg.arch.num_classes)
            y = torch.where(torch.rand(y.shape, generator=g) < cfg.class_dropout, null, y)
            t = torch.randint(0, self.diffusion.steps, y.shape, generator=g)
            noise = torch.randn(x.shape, generator=g)
            x_t = self.diffusion.q_sample(x, t, noise.to(x.device))
            eps = self.model(x_t, t.float().to(x.device), y.to(x.device))
            return F.mse_loss(eps, noise.to(x.device)), {}
        if cfg.method == "vae":
            x_hat, mu, logvar = self.model(x, y.to(x.device))
            beta = self.kl_weight()
            loss, recon, kl = vae_loss(x, x_hat, mu, logvar, cfg.recon_sigma, beta)
            return loss, {"recon": recon.item(), "kl": kl.item(), "beta": beta}
        if cfg.method == "ar":
            return self.ar_loss(x, y)
        logits = self.model(x)
        y = y.to(x.device)
        return F.cross_entropy(logits, y), {"acc": (logits.argmax(1) == y).float().mean().item()}

    def ar_loss(self, x, y):
        """Stage 1 (the first vq_steps steps): the VQ autoencoder's reconstruction, codebook and
        commitment losses. Stage 2: the transformer's cross-entropy on the frozen VQ's tokens."""
        cfg, vq, gpt = self.cfg, self.model.vq, self.model.gpt
        if self.step < cfg.vq_steps:
            recon, tokens, codebook_loss, commitment = vq(x)
            mse = F.mse_loss(recon, x)
            self.code_usage += torch.bincount(tokens.flatten().cpu(), minlength=len(self.code_usage))
            return mse + codebook_loss + cfg.vq_beta * commitment, {
                "mse": mse.item(), "perplexity": perplexity(tokens.cpu(), cfg.arch.codebook_size)}
        if self.step == cfg.vq_steps:
            # the transformer learns the tokens of these VQ weights: the EMA copy (what is exported)
            # must hold the same ones, not an average over the VQ's training
            self.ema.model.vq.load_state_dict(vq.state_dict())
        vq.eval()
        with torch.no_grad():
            codes = vq.encode(x)                                     # (B, N)
        null = torch.full_like(y, cfg.arch.num_classes)
        y = torch.where(torch.rand(y.shape, generator=self.gen) < cfg.class_dropout, null, y).to(x.device)
        logits = gpt.teacher_forced(codes, y)                        # (B, N, K)
        loss = F.cross_entropy(logits.flatten(0, 1), codes.flatten())
        return loss, {"bits_per_token": loss.item() / math.log(2)}

    def gan_step(self, x, y):
        """One discriminator step, then one generator step, on the same classes as the real batch.
        -> (generator loss, extra). The hinge loss needs no gradient clipping (spectral norm bounds D)."""
        y = y.to(x.device)
        z = draw_latents(len(y), self.cfg.arch.latent_dim, self.gen).to(x.device)
        fake = self.model(z, y)
        d_loss = discriminator_loss(self.disc(x, y), self.disc(fake.detach(), y))
        self.opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        self.opt_d.step()
        g_loss = generator_loss(self.disc(fake, y))
        self.opt.zero_grad(set_to_none=True)
        g_loss.backward()
        self.opt.step()
        return g_loss, {"d_loss": d_loss.item()}

    def dp_step(self):
        """One DP-SGD step of the VAE: a Poisson lot, each example's gradient clipped to dp_clip, their
        sum plus N(0, (sigma dp_clip)^2) noise over the expected lot size, then the optimiser.
        -> (the lot's mean loss before the step, extra), for the log only."""
        cfg, dp = self.cfg, self.dp
        idx = poisson_lot(len(self.train.y), dp["sampleRate"], self.gen)
        x = augment(self.train.x[idx], cfg.aug, self.gen).to(self.device)
        y = self.train.y[idx].to(self.device)
        noise = torch.randn(len(idx), cfg.arch.latent_dim, generator=self.gen).to(self.device)
        beta = self.kl_weight()

        def example_loss(model, x, y, noise):
            x_hat, mu, logvar = model(x, y, noise)
            return vae_losses(x, x_hat, mu, logvar, cfg.recon_sigma, beta)[0].sum()

        params = list(self.model.parameters())
        if len(idx):
            grads, losses = per_example_gradients(self.model, example_loss, x, y, noise)
            per_example = torch.cat([g.flatten(1) for g in grads], 1)
        else:
            per_example = torch.zeros(0, sum(p.numel() for p in params), device=self.device)
            losses = torch.zeros(0, device=self.device)
        draws = torch.randn(per_example.shape[1], generator=self.gen).to(self.device)
        flat = dp_sgd_gradient(per_example, dp["clip"], dp["noiseMultiplier"], draws, dp["expectedLot"])
        for p, g in zip(params, torch.split(flat, [p.numel() for p in params])):
            p.grad = g.view_as(p)
        self.opt.step()
        return losses.sum() / max(len(idx), 1), {"lot": len(idx), "beta": beta}

    def train_step(self, lr):
        if self.dp is not None:
            for group in self.opt.param_groups:
                group["lr"] = lr
            loss, extra = self.dp_step()
            self.ema.update(self.model)
            self.step += 1
            return loss.item(), extra
        idx = torch.from_numpy(next(self.batches))
        x = augment(self.train.x[idx], self.cfg.aug, self.gen).to(self.device)
        y = self.train.y[idx]
        self.model.train()
        for opt in filter(None, (self.opt, self.opt_d)):
            for group in opt.param_groups:
                group["lr"] = lr
        if self.disc is not None:
            loss, extra = self.gan_step(x, y)                       # steps both networks itself
        else:
            loss, extra = self.loss(x, y)
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.cfg.grad_clip)
            self.opt.step()
            if self.code_usage is not None and self.step < self.cfg.vq_steps \
                    and (self.step + 1) % self.cfg.vq_restart_every == 0:    # after the step that used them
                extra["restarted"] = restart_dead_codes(self.model.vq, x, self.code_usage, self.gen)
        if self.ema is not None:
            self.ema.update(self.model)
        self.step += 1
        return loss.item(), extra

    # --- checkpoints ------------------------------------------------------------------------------
    def save(self):
        state = {"config": self.cfg_dict, "model": self.model.state_dict(),
                 "ema": self.ema.state_dict() if self.ema else None, "opt": self.opt.state_dict(),
                 "step": self.step, "elapsed": self.elapsed, "batches": self.batches.state_dict(),
                 "gen": self.gen.get_state(), "torch_rng": torch.get_rng_state(),
                 "torch_version": torch.__version__, "hardware": hardware(), "init_from": self.init_from,
                 **({"disc": self.disc.state_dict(), "opt_d": self.opt_d.state_dict()} if self.disc else {})}
        tmp = os.path.join(self.run_dir, "checkpoint.pt.tmp")
        torch.save(state, tmp)
        os.replace(tmp, os.path.join(self.run_dir, "checkpoint.pt"))

    def load(self):
        ckpt = load_checkpoint(os.path.join(self.run_dir, "checkpoint.pt"))   # RNG states must stay on the CPU
        self.model.load_state_dict(ckpt["model"])
        if self.ema is not None:
            self.ema.load_state_dict(ckpt["ema"])
        self.opt.load_state_dict(ckpt["opt"])
        if self.disc is not None:
            self.disc.load_state_dict(ckpt["disc"])
            self.opt_d.load_state_dict(ckpt["opt_d"])
        self.step, self.elapsed = ckpt["step"], ckpt["elapsed"]
        self.batches.load_state_dict(ckpt["batches"])
        self.gen.set_state(ckpt["gen"])
        torch.set_rng_state(ckpt["torch_rng"])
        self.init_from = ckpt.get("init_from")

    # --- sample grids ---------------------------------------------------------------------------
    def sample_grid(self, path, per_class=8):
        if self.cfg.method == "classifier":
            return
        if self.cfg.method == "ar" and self.step <= self.cfg.vq_steps:     # the VQ stage: reconstructions
            idx = torch.arange(0, len(self.train.y), max(len(self.train.y) // 32, 1))[:32]
            x = self.train.x[idx].to(self.device)
            self.model.vq.eval()
            with torch.no_grad():
                recon = self.model.vq.decode(self.model.vq.encode(x))
            write_grid(path, unscale_output(torch.cat([x, recon]), self.kind, self.cfg.signal_scale_mv),
                       self.kind, rows=8)
            return
        K = self.cfg.arch.num_classes
        y = torch.arange(K).repeat_interleave(per_class)             # one row per class
        g = torch.Generator().manual_seed(self.cfg.seed + 2)         # same noise every time
        x = generate(self.cfg.method, self.ema.model, self.cfg_dict, y, g,
                     ddim_steps=min(25, self.cfg.sampler_defaults["steps"]))
        write_grid(path, unscale_output(x, self.kind, self.cfg.signal_scale_mv), self.kind, rows=K)


def write_grid(path, samples, kind, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    write_png(path, image_grid(samples, rows) if kind == "image" else signal_grid(samples, rows))


def train(cfg, data_dir=DEFAULT_DATA, runs_dir=DEFAULT_RUNS, budget_s=60.0, resume=False,
          max_steps=None, device="cpu", overrides=(), init_from=None):
    """Train until the budget (seconds of this invocation), max_steps more steps or the config's
    max_steps; returns the summary dict. overrides: "key=value" settings applied on top. init_from:
    an exported model folder whose stored weights start a new run (fine-tuning); the summary keeps
    that model's own training record under initFrom."""
    run_dir = os.path.join(runs_dir, cfg.id)
    os.makedirs(run_dir, exist_ok=True)
    if resume:
        saved = load_checkpoint(os.path.join(run_dir, "checkpoint.pt"))["config"]
        cfg = config_from_dict(saved)
    cfg = apply_overrides(cfg, overrides)
    tr = Trainer(cfg, data_dir, run_dir, device)
    if resume:
        tr.load()
    elif init_from:
        init_card, init_model = load_export(init_from)
        if init_card["architecture"] != card_architecture(tr.cfg_dict):
            raise SystemExit(f"{init_from}: its architecture is not {cfg.id}'s")
        tr.model.load_state_dict(init_model.state_dict())
        tr.ema = EMA(tr.model, tr.cfg.ema_decay)
        tr.init_from = {"model": init_card["id"], "weightsSha256": init_card["weights"]["files"][0]["sha256"],
                        "training": init_card["training"]}
    cfg = tr.cfg
    write_json(os.path.join(run_dir, "config.json"), tr.cfg_dict)
    n_params = sum(p.numel() for p in tr.model.parameters())
    print(f"{cfg.id}: {n_params:,} parameters, {len(tr.train.y)} training examples, "
          f"step {tr.step}, budget {budget_s:.0f}s, {hardware()}", flush=True)

    log_path = os.path.join(run_dir, "loss.csv")
    new_log = not (resume and os.path.exists(log_path))
    log = open(log_path, "w" if new_log else "a", newline="")
    writer = csv.writer(log)
    if new_log:
        writer.writerow(["step", "wall_s", "lr", "loss", "extra"])
    start, last_ckpt = time.time(), time.time()
    start_elapsed = tr.elapsed
    start_step = tr.step
    stop_step = min(cfg.max_steps, tr.step + max_steps) if max_steps else cfg.max_steps
    recent = []
    while tr.step < stop_step and time.time() - start < budget_s:
        progress = max((time.time() - start) / budget_s if budget_s > 0 else 0.0,
                       (tr.step - start_step) / max(stop_step - start_step, 1))
        lr = learning_rate(cfg, tr.step, progress)
        loss, extra = tr.train_step(lr)
        tr.elapsed = start_elapsed + time.time() - start
        recent = (recent + [loss])[-200:]
        assert math.isfinite(loss), f"loss became {loss} at step {tr.step}"
        if tr.step % cfg.log_every == 0:
            writer.writerow([tr.step, f"{tr.elapsed:.1f}", f"{lr:.3g}", f"{loss:.5f}",
                             " ".join(f"{k}={v:.4g}" for k, v in extra.items())])
            log.flush()
        if tr.step % max(cfg.log_every * 10, 1) == 0:
            print(f"step {tr.step} loss {np.mean(recent):.4f} lr {lr:.2e} {tr.elapsed:.0f}s", flush=True)
        if tr.step % cfg.sample_every == 0:
            tr.sample_grid(os.path.join(run_dir, "samples", f"step-{tr.step:07d}.png"))
        if time.time() - last_ckpt >= cfg.checkpoint_minutes * 60:
            tr.save()
            last_ckpt = time.time()
    log.close()
    tr.save()
    tr.sample_grid(os.path.join(run_dir, "samples", f"final-step-{tr.step:07d}.png"))
    summary = {"steps": tr.step, "batch": cfg.batch_size, "lr": cfg.lr, "wallSeconds": round(tr.elapsed, 1),
               "hardware": hardware(), "torch": torch.__version__, "seed": cfg.seed,
               "finalLoss": float(np.mean(recent[-100:])) if recent else None, "parameters": n_params,
               **({"leftOut": tr.left_out} if tr.left_out else {}),
               **({"privacy": tr.privacy_spent()} if tr.dp else {}),
               **({"initFrom": tr.init_from} if tr.init_from else {})}
    write_json(os.path.join(run_dir, "summary.json"), summary)
    print(f"{cfg.id}: done, {summary}", flush=True)
    return summary


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True)
    p.add_argument("--budget-minutes", type=float, default=60.0)
    p.add_argument("--resume", action="store_true")
    p.add_argument("--tiny", action="store_true", help="tiny network, for smoke tests")
    p.add_argument("--init-from", metavar="FOLDER", help="start from an exported model's weights (models/<id>)")
    p.add_argument("--max-steps", type=int, default=None, help="stop after this many more steps")
    p.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a run setting, e.g. batch_size=128")
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's)")
    p.add_argument("--data-dir", default=DEFAULT_DATA)
    p.add_argument("--runs-dir", default=DEFAULT_RUNS)
    a = p.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    train(get_config(a.model, a.tiny), a.data_dir, a.runs_dir, a.budget_minutes * 60, a.resume,
          a.max_steps, device, a.set, a.init_from)


if __name__ == "__main__":
    main()
