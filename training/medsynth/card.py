"""Model cards: the machine-readable card.json the browser builds its sampler from, and the human
README.md beside it."""
import re

# What each dataset's models can and cannot show; written into every card and README.
LIMITATIONS = {
    "pneumoniamnist": [
        "28x28 greyscale downsamples of paediatric chest X-rays (Kermany et al. 2018, one centre, "
        "children aged 1-5): nothing here generalises to adults, other hospitals or full-resolution films.",
        "Classes are imbalanced (training: 1214 normal, 3494 pneumonia); per-class figures are reported "
        "because the overall ones lean toward pneumonia.",
        "At 28x28 the label rests on coarse opacity and texture; the models can learn shortcuts "
        "(exposure, positioning, text markers) as easily as disease.",
    ],
    "mitbih": [
        "MIT-BIH Arrhythmia Database: 48 half-hour two-lead recordings of 47 adults from 1975-1979; "
        "only lead MLII is used, one 256-sample window (0.71 s at 360 Hz) per annotated beat.",
        "Trained on DS1 patients only and measured on the disjoint DS2 patients (de Chazal et al. "
        "2004); inter-patient figures are far below the intra-patient ones often quoted.",
        "AAMI classes are very imbalanced (DS1: N about 90% of beats, F 414, Q only 8): class Q is "
        "too rare to model and its samples and figures mean little; F is rare.",
        "Beats are generated one at a time, without rhythm context (RR intervals), which is part of "
        "what defines an S beat.",
    ],
    "retinamnist": [
        "28x28 colour downsamples of 1,600 fundus photographs from one screening source (DeepDRiD, "
        "via MedMNIST); at this size lesions such as microaneurysms are sub-pixel, so the grade rests "
        "on colour and coarse texture.",
        "Only 1,080 training images over 5 grades, imbalanced (grade 0 about 45%, grade 4 about 6%); "
        "grading is an ordinal judgement with known inter-grader disagreement, and even the evaluator "
        "reaches only about half accuracy (as the published MedMNIST baselines do), so per-grade "
        "figures judged by it are rough.",
        "Left-right mirroring was used in training (left and right eyes mirror each other).",
    ],
    "breastmnist": [
        "28x28 greyscale downsamples of 780 breast ultrasound images from one hospital (Al-Dhabyani "
        "et al. 2020, women aged 25-75), labelled malignant vs normal-or-benign.",
        "Only 546 training images (147 malignant).",
    ],
    "bccd": [
        "64x64 patches cut around the annotated boxes of 364 blood-smear images (BCCD); annotations "
        "are incomplete in places, so a patch can contain unlabelled cells.",
        "Classes are very imbalanced (training: 2,381 RBC, 214 WBC, 209 platelets); batches were "
        "rebalanced (class weight ~ count^0.5) and every figure is reported per class. WBC subtypes "
        "are not distinguished.",
        "Flips and quarter turns were used in training (a cell on a smear has no orientation).",
    ],
}

# ...and what only one dataset's model of one method shows (or, keyed by its id, only one model)
MODEL_LIMITATIONS = {
    ("breastmnist", "gan"): [
        "Sampled at truncation 1.5 (z drawn from N(0, I) with every value beyond +-1.5 drawn again; the card's "
        "figures and the page start there): untruncated, 64% of its malignant samples are seen as malignant "
        "(1,000 samples; real held-out malignant images: 76%), at 1.5, 75%, at 1.0, 87% while its distance in the "
        "extractor's features grows (training/sampler_sweep.py, 2026-12-02). Truncation trades variety for "
        "typical samples.",
    ],
    ("mitbih", "gan"): [
        "Its Q samples are copies: 95% of them lie closer to one of the 8 DS1 Q beats than 99% of held-out beats "
        "lie to any training beat (so 19% of all its samples are flagged by the copies check below); no N, S, V or F "
        "sample is. The membership test's AUC (0.62) also measures how DS1 patients differ from DS2 patients: the "
        "held-out beats are other patients'.",
        "Its first run, with a discriminator that summed its features over time, put the R peak about 72 samples "
        "(0.2 s) after the window's fiducial point, where every real beat has it; nothing in that discriminator could "
        "see where a beat was. This one was trained from the start with a discriminator that weighs every position "
        "(disc_pool 'flatten', training/medsynth/gan.py): its N, S, V and F peaks lie at samples 91 to 93, as real "
        "beats' do at 90 (medians of 200 samples each, 2026-12-02). In the grids its traces carry a fine jitter that "
        "real beats lack.",
    ],
    ("bccd", "gan"): [
        "Its patches are softer than real ones: RBC outlines are irregular, platelets faint smudges (look at the "
        "grids); the evaluator still sees every class as asked, and no patch has an unusual border.",
    ],
    ("retinamnist", "gan"): [
        "Grade 4 samples are recognised less often (16%) than real grade-4 films are (20%); at 28x28 the grade "
        "rests on colour and coarse texture, and the evaluator itself grades about half of real films right.",
    ],
    ("mitbih", "ddpm"): [
        "The sampler bounds its clean-beat estimate at +-4.5 mV; the tallest generated V beats reach "
        "that bound and come out with flat tops.",
        "With 8 Q beats in DS1, Q samples can only echo those beats; they count in the copies check below.",
        "The membership test below tells 1,000 of its DS1 training beats from 1,000 DS2 beats with AUC 0.875 "
        "[0.859, 0.891] (mean denoising error 0.034 against 0.060). DS2 beats come from other patients, so this "
        "measures that the model knows its training patients (itself a privacy signal: a patient's beats are "
        "recognisable as seen), not that it copies single beats; no held-out beats of the same patients exist "
        "to separate the two.",
    ],
    ("bccd", "ddpm"): [
        "Stopped at 4,180 training steps, short of convergence: its RBC and platelet patches are soft, and "
        "the evaluator recognises its RBC and platelets less than 90% as often as real ones (78% and 84% "
        "against 100% and 99%).",
        "26% of its samples (157 of 600 at the card's defaults, every class) have a border whose mean lies "
        "beyond the far-out fences of real patches' borders, which no real patch does (0 of 2,804 training, "
        "0 of 945 test): in the grids, patches filled edge to edge with pink or brown, and grey-green noisy "
        "ones, where real patches show the cell on the pale background of the smear. Its distance in the "
        "blood-cell extractor's features is 20 times real-vs-real (6.37 against 0.323, 340 a side; measured "
        "2026-12-02 in PyTorch). It needs training to convergence on a GPU.",
    ],
    ("retinamnist", "ddpm"): [
        "Fine-tuned without the 16 RetinaMNIST training images whose surround is bright instead of the "
        "black mask of a fundus photograph (8 of them grade 1; none of the 400 test images has one). "
        "Trained with them (its first run, on a GPU), 15.1% of its samples wore such a surround (151 of "
        "1,000 at the card's defaults, grade 1 67 of 200); after 2,666 further steps without them (CPU), "
        "2.9% (29 of 1,000: grade 1 19, grade 3 6, grade 4 4), fewer but still more than the 1.5% of "
        "training images and the 0% of test images (surround = mean of the outer two pixels, unusual beyond "
        "Tukey's far-out fences of the training images'; measured 2026-12-02 in PyTorch; the page's "
        "surround check shows it per class).",
        "Its samples run pinker and paler than real films (look at the grids): its distance in the "
        "extractor's features is still 7.9 times real-vs-real (5.95 against 0.755, 400 a side; 10.4 "
        "times before the fine-tuning). 3,798 more steps of the same fine-tuning changed neither (6.28 and "
        "2.8%; not shipped): it needs a longer run from the start on a GPU, not more of this one.",
        "The sampler does not close the gap (training/sampler_sweep.py, 294 samples a side drawn with another "
        "seed, where real training vs held-out is 1.03; 2026-12-04): 9.9 times real-vs-real with the null class "
        "(guidance 0), 7.8 at guidance 1, 6.4 at the card's 2, 5.5 at 3 and 5.4 at 4 (2.7% unusual surrounds "
        "there); eta 0 is worse (10.1 at guidance 2).",
    ],
    ("breastmnist", "ddpm"): [
        "Retrained on the 2-core CPU (2026-12-04) with left-right mirrors and dropout 0.1: 2,000 steps of 32, "
        "about 117 passes over the 546 images, where the first breast-ddpm (now breast-ddpm-memorised, the "
        "site's exhibit of memorisation) made about 2,234 passes without either. The run went on to 6,500 steps; "
        "the checkpoint was chosen on the validation split (78 images, never used for the figures below): the "
        "membership test's AUC against validation images rose from 0.522 at 2,000 steps to 0.541 at 4,000 and "
        "0.565 at 6,000, while the distance in features-grey28 to them stayed at 1.0 to 1.1 times real-vs-real, "
        "so the earliest was kept.",
        "The membership test still finds a weak signal: AUC 0.556 [0.490, 0.625] on the test split, 0.568 "
        "[0.501, 0.641] without its 25 near-copies of training images (mean denoising error 0.161 on training "
        "images against 0.167; the exhibit: 0.952 and 0.995, 0.049 against 0.284). Its samples lie further "
        "from their nearest training image (median 6.28) than real held-out images do (5.58). The page's own "
        "test, on its reference pack of 106 images a side, finds AUC 0.563 [0.483, 0.641] (0.573 [0.497, 0.655] "
        "without 11 near-copies; scripts/membership.ts, Node, WASM): at that size, no sign.",
        "Its samples are softer than real scans (the speckle and sharp lesion borders are missing), and most "
        "of its 'normal or benign' samples are plain tissue: about 4 of 16 show a lesion, against about 11 of "
        "16 real held-out images of the class (counted by eye in a grid at the card's defaults, 2026-12-04).",
    ],
    # the first breast-ddpm, kept beside its retrained successor as the site's exhibit of memorisation
    "breast-ddpm-memorised": [
        "The site's exhibit of memorisation: the first breast-ddpm, trained without augmentation or dropout "
        "for about 2,200 passes over 546 images, and kept for what it shows, not as a breast ultrasound "
        "generator (breast-ddpm is the same network retrained with mirrors and dropout). It has memorised its "
        "training images: a membership test (training/membership.py: the denoising error at t = 50, "
        "100, 200 and 400, two fixed noise draws each) tells 156 of its training images from the 156 "
        "held-out ones with AUC 0.952 [95% bootstrap interval 0.926, 0.975]; the mean error is 0.049 "
        "on training images against 0.284 on held-out ones, and the AUC is 0.995 once the 25 held-out "
        "near-copies of training images are set aside (measured 2026-12-02). The nearest-training-sample "
        "check cannot show this and flags no sample: BreastMNIST's held-out split holds near-duplicates "
        "of training images (about 16% of held-out images lie within distance 1.0 of one), which sets "
        "the held-out 1st percentile so low that only a near-exact copy would be flagged; in the page's "
        "audit 23 of 128 samples are much closer to one training image than to any other, but so are "
        "31% of real held-out images (docs/judge/audit.md). The site's audit shows each sample beside "
        "its nearest training images: look at them.",
        "Most of its 'normal or benign' samples are plain breast tissue: in a grid of 48 at the card's "
        "defaults about 8 show a lesion, against about half of 48 real held-out images of the class "
        "(counted by eye, 2026-12-02; BUSI's 'normal or benign' images are mostly benign lesions), and "
        "guidance 1 shows no more. This and the memorisation above are the likely reasons why its distance in the "
        "extractor's features is several times real-vs-real. The sampler does not fix it "
        "(training/sampler_sweep.py, 120 samples a side: guidance 1 or 2, eta 0 or 1, 50 to 250 steps all left it "
        "between 12 and 16, against 3.7 for real training vs held-out images drawn the same way); retraining did.",
    ],
}

# ...and of each autoregressive transformer (issue 17), measured on the shipped weights, 2026-12-02
MODEL_LIMITATIONS.update({
    ("pneumoniamnist", "ar"): [
        "Its films are softer than real ones: each 4x4 patch is one of the 256 codebook entries (held-out "
        "reconstruction MSE 0.0056 in network units, about 10 grey levels RMS), and fine rib and vessel detail is lost "
        "before the transformer chooses anything.",
    ],
    ("retinamnist", "ar"): [
        "Stopped at 2,487 of its planned 3,300 steps (the 45-minute budget of one CPU thread; 987 of them for the "
        "transformer): its distance in the extractor's features is 8.7 times real-vs-real (6.58 against 0.755, 400 a "
        "side), and grades 0, 2, 3 and 4 are recognised less than 90% as often as real films of the grade (54% against "
        "71%, 18% against 22%, 36% against 46%, 6% against 20%). It needs a longer run.",
    ],
    ("bccd", "ar"): [
        "Sampled at guidance 3 on the logits (the card's figures and the page start there): 95% of its WBC samples "
        "are seen as WBC (200 samples; real held-out WBC: 100%), bought with fidelity: its distance in the blood-cell "
        "extractor's features is 10 times real-vs-real. A sweep of these weights (training/sampler_sweep.py, 80 "
        "samples a class, another seed) found WBC at 80% and 4.9 times real-vs-real at guidance 2, 93% and 9.7 times "
        "at 3, 99% and 14.6 times at 4.",
        "8x8 tokens of 8x8 pixels: cells and their outlines are soft. Its transformer trained for 1,619 steps "
        "(1,146, then 473 more after a resume), both cut by the time budget.",
    ],
    ("breastmnist", "ar"): [
        "Sampled at guidance 3 on the logits (the card's figures and the page start there): without guidance only 61.5% "
        "of its benign samples were seen as benign (200 samples; real held-out: 94%). A sweep of these weights "
        "(training/sampler_sweep.py, the held-out split's 42 malignant and 114 benign, another seed) found benign at 67% "
        "at guidance 1, 73% at 2, 89% at 3, 94% at 4 and 97% at 5, with the distance in the extractor's features "
        "lowest at 3 (2.4 times real-vs-real at that N) and 4.9 times at 5.",
        "Its distance in the extractor's features is 5.2 times real-vs-real (9.95 against 1.91, 156 a side): its "
        "ultrasound texture is blocky, built from 4x4 codebook patches. 2,800 transformer steps are 164 passes over "
        "the 546 training images; by the distance test it barely tells them from held-out images (AUC 0.543 "
        "[0.479, 0.609]; 0.563 [0.495, 0.633] without the held-out near-copies of training images), and none of its "
        "samples lies closer to a training image than 99% of held-out images lie to any.",
    ],
    ("mitbih", "ar"): [
        "9.3% of its samples lie closer to a training beat than 99% of held-out beats lie to any (the copies check "
        "below); DS1 holds only 8 Q beats, which its Q samples can only echo. Its S and F samples are recognised more "
        "often than real S and F beats (56% and 52% against 5% and 1%): the evaluator barely recognises real S and F "
        "beats of other patients, so these figures say little.",
        "The membership test's AUC (0.67, the distance test) also measures how DS1 patients differ from DS2 patients: "
        "the held-out beats are other patients'.",
    ],
})

# what a GAN card's training record says was used (training/medsynth/gan.py, train.py gan_step)
GAN_RECIPE = ("projection discriminator (Miyato & Koyama 2018) with spectral norm on every layer, hinge loss, "
              "one discriminator step per generator step on the real batch's classes, Adam for both, "
              "EMA of the generator weights (exported)")

# what every GAN card says of its family (the figures are the card's own)
GAN_LIMITATIONS = [
    "Trained on a 2-core CPU, one thread, for minutes (the training record says how many steps): far shorter "
    "than GANs of this size are usually trained. A GAN can leave out kinds of image it never learned to make "
    "(mode dropping) without the class counts or a Frechet distance showing it; look at many seeds in the page.",
    "The membership test here is a distance test (training/membership.py: each image's distance to the nearest "
    "of 2,000 samples the model makes of its class), weaker than a test with the discriminator, which is not shipped.",
]

# what an AR card's training record says was used (training/medsynth/ar.py, train.py ar_loss)
AR_RECIPE = ("stage 1: VQ autoencoder with a codebook loss and commitment (van den Oord et al. 2017), "
             "straight-through gradients, dead codes moved to encoder outputs; stage 2, with the VQ frozen: a "
             "pre-LayerNorm causal transformer over the tokens in raster order, prompted with a class token that is "
             "replaced by the null class for class_dropout of the examples; AdamW for both, EMA of the weights "
             "(exported; the VQ's copy is its final weights)")

# what every AR card says of its family
AR_LIMITATIONS = [
    "Trained on a 2-core CPU, one thread, for minutes (the training record says how many steps of each stage): "
    "far shorter than transformers of this kind are usually trained.",
    "A sample can be no sharper than the VQ autoencoder's reconstructions (the card's `quality.tokens` gives their "
    "error on held-out data): the transformer only chooses among the codebook's patches.",
    "The membership test here is a distance test (training/membership.py: each example's distance to the nearest of "
    "2,000 samples the model makes of its class); the transformer's own likelihood of a training example's tokens "
    "would be a stronger one.",
]

INTENDED_USE = ("Teaching and demonstration: seeing how a generative model makes images or signals, "
                "comparing methods, and discussing synthetic data. Never for clinical use, diagnosis, "
                "or as training data for clinical models.")


def camel(name):
    return re.sub(r"_([a-z])", lambda m: m.group(1).upper(), name)


def architecture(cfg):
    """Every number the browser needs to rebuild the net (see training/ARCHITECTURE.md)."""
    a = cfg["arch"]
    kind = {"ddpm": "unet", "vae": "cvae", "gan": "cgan", "ar": "vq-transformer",
            "classifier": "cnn-classifier"}[cfg["method"]]
    shape = [a["size"], a["size"], a["in_channels"]] if a["dims"] == 2 else [a["size"], a["in_channels"]]
    out = {"type": kind, "inputShape": shape, "layout": "NHWC" if a["dims"] == 2 else "NLC"}
    out.update({camel(k): (list(v) if isinstance(v, tuple) else v) for k, v in a.items()})
    out.update({"groupNorm": {"eps": 1e-5, "grouping": "consecutive channels, groups = min(groups, channels)",
                              "variance": "biased"},
                "activation": "silu", "padding": "same (symmetric, odd kernels)",
                "downsample": "avgpool 2", "upsample": "nearest x2"})
    if cfg["method"] == "ddpm":
        out["timeEmbedding"] = {"dim": a["base_channels"], "order": "sin,cos", "maxPeriod": 10000,
                                "frequency": "exp(-ln(10000) * i / (dim/2)), i = 0..dim/2-1"}
        out["attention"] = {"heads": 1, "scale": "1/sqrt(channels)", "where": "middle" if a["mid_attention"] else "none"}
    if cfg["method"] == "vae":
        out["flatten"] = "channels-last (position-major, channel-minor)"
        out["classInput"] = "one-hot, concatenated (encoder: as constant planes after the image channels; decoder: after z)"
    if cfg["method"] == "gan":
        del out["discChannels"], out["discPool"], out["downsample"]  # the discriminator is not shipped
        out["flatten"] = "channels-last (position-major, channel-minor)"
        out["classInput"] = "one-hot, concatenated after z"
        out["output"] = "outScale * tanh"
    if cfg["method"] == "ar":
        del out["groupNorm"]                                         # no GroupNorm anywhere in it
        low = a["size"] // 2 ** len(a["vq_channels"])
        out["tokens"] = {"shape": [low] * a["dims"], "count": low ** a["dims"], "order": "raster (row-major)"}
        out["quantiser"] = "nearest codebook row by squared L2 distance; ties: the lowest index"
        out["transformer"] = {"norm": "pre-LayerNorm, eps 1e-5, biased variance", "mlpActivation": "gelu (tanh approximation)",
                              "attention": "causal, scale 1/sqrt(width/heads)", "positions": "learned, added",
                              "input": "position 0: the class embedding (row numClasses: no class); position i: code i-1"}
    return out


def scaling(kind, cfg):
    if kind == "image":
        return {"input": "x/127.5-1", "output": "round((clip(x,-1,1)+1)*127.5)", "range": [-1, 1]}
    s = cfg["signal_scale_mv"]
    return {"input": f"mV/{s}", "output": f"x*{s} (mV)", "scaleMv": s}


def build_card(cfg, index, summary, quality, weights_info, parity_info):
    card = {
        "id": cfg["id"], "name": cfg["name"], "modality": index.get("modality", cfg["modality"]),
        "method": cfg["method"], "dataset": cfg["dataset"], "classes": index["classes"],
        "architecture": architecture(cfg),
        "scaling": scaling(index["kind"], cfg),
    }
    if index["kind"] == "signal":
        card["signal"] = {k: index[k] for k in ("sampleRateHz", "units", "window") if k in index}
    if cfg["method"] == "ddpm":
        card["schedule"] = {"steps": cfg["diffusion_steps"], "beta": cfg["beta_schedule"],
                            "cosineOffset": cfg["cosine_offset"], "maxBeta": cfg["max_beta"],
                            "prediction": "epsilon",
                            "clipSample": cfg["clip_sample"] is not None,
                            "clipRange": cfg["clip_sample"],
                            "timestepInput": "integer t in 0..steps-1, as float"}
        card["samplerDefaults"] = cfg["sampler_defaults"]
    if cfg["method"] in ("ddpm", "vae", "gan", "ar"):
        guided = cfg["method"] in ("ddpm", "ar")                     # trained with a "no class" label
        card["guidance"] = {"nullClass": cfg["arch"]["num_classes"] if guided else None,
                            "trainedDropout": cfg["class_dropout"] if guided else 0.0}
    if cfg["method"] == "ar":
        card["tokenSampling"] = cfg["token_sampling"]
    if cfg["method"] in ("vae", "gan"):
        card["latent"] = {"dim": cfg["arch"]["latent_dim"], "prior": "N(0, I)",
                          **({"truncation": cfg["truncation"]} if cfg["method"] == "gan" else {})}
    splits = index["splits"]
    card["provenance"] = {**index.get("provenance", {}),
                          "trainedOn": {"split": cfg["train_split"], "count": splits[cfg["train_split"]]["count"],
                                        "classCounts": splits[cfg["train_split"]].get("classCounts")},
                          "heldOut": {"split": cfg["heldout_split"], "count": splits[cfg["heldout_split"]]["count"]},
                          "dataStamp": index.get("stamp")}
    card["training"] = {**(summary or {}), "balancePower": cfg["balance_power"], "augmentation": cfg["aug"],
                        **({"emaDecay": cfg["ema_decay"]} if cfg["method"] != "classifier" else {}),
                        **({"reconSigma": cfg["recon_sigma"], "klBeta": cfg["kl_beta"],
                            "klWarmupSteps": cfg["kl_warmup_steps"]} if cfg["method"] == "vae" else {}),
                        **({"recipe": GAN_RECIPE, "discriminatorChannels": cfg["arch"]["disc_channels"],
                            "discriminatorPool": cfg["arch"]["disc_pool"],
                            "adamBetas": list(cfg["adam_betas"])} if cfg["method"] == "gan" else {}),
                        **({"recipe": AR_RECIPE, "vqSteps": cfg["vq_steps"], "vqLr": cfg["vq_lr"],
                            "commitment": cfg["vq_beta"], "restartEvery": cfg["vq_restart_every"],
                            "classDropout": cfg["class_dropout"]} if cfg["method"] == "ar" else {})}
    card["quality"] = quality or {}
    card["weights"] = weights_info
    card["parity"] = parity_info
    card["intendedUse"] = INTENDED_USE
    if "privacy" in card["training"]:
        card["training"]["privacy"] = {**card["training"]["privacy"], "baseline": cfg["dp_baseline"]}
    card["limitations"] = limitations(cfg["dataset"], cfg["method"], card["training"].get("privacy"), cfg["id"])
    return card


def dp_limitations(privacy, dataset):
    """What a DP-SGD card's epsilon does and does not promise (its training.privacy record)."""
    lines = [
        f"Epsilon {privacy['epsilon']:.3g} at delta {privacy['delta']:g} counts {privacy['unit']}"
        + (" (one heartbeat). A DS1 patient contributes about 2,300 beats, so for a whole patient the "
           "guarantee is group privacy over all of them, far weaker than epsilon; protecting patients would "
           "need each patient's gradient clipped as one (user-level DP), which was not done." if dataset == "mitbih" else "."),
        "Epsilon is the RDP accountant's upper bound for Poisson lots over the whole training split, for this one "
        "run. The recipe (architecture, learning rate, clipping norm, lot, steps) is the same for every privacy "
        "variant and for the baseline without DP, but it was chosen after a first attempt on the same data (lots "
        "of 256 for 2,000 steps) stalled: choosing among runs spends privacy too (Papernot and Steinke 2022), "
        "and that is not counted in epsilon.",
        "Clipping and noise cost the rare classes most: each rare example's clipped gradient is a smaller "
        "share of a noisy sum. Read the per-class figures, not the average.",
        "Epsilon covers the weights (and anything made from them alone, such as samples), not this card: the "
        "final training loss and the figures measured against training examples (distances to them, the "
        "membership test) are the auditor's view of the private data, published for teaching.",
    ]
    return lines


# ...and of issue 20's privacy variants, keyed by id, measured with training/remeasure.py (2026-12-03)
MODEL_LIMITATIONS.update({
    "ecg-vae-nodp": [
        "The baseline of the DP variants, trained alike for only 500 steps of 1,024 (10 epochs): weaker than "
        "ecg-vae (Frechet distance in features-ecg 29 against ecg-vae's 8.9; real vs real 9.8). It is there to "
        "show what DP-SGD changes, not as the best ECG VAE.",
    ],
    "ecg-vae-dp10": [
        "Posterior collapse: the held-out KL is 0.13 nats (0.10 at epsilon 1; 35 without DP), so the decoder "
        "ignores z and every sample of a class is the same beat, the class's mean shape. The evaluator "
        "recognises that beat for N and V every time, and never for S, F or Q; the samples have no diversity.",
        "The copy check flags 5% of its samples as nearer a training beat than 99% of held-out beats, although "
        "DP bounds what any one beat can change: a mean beat lies near many training beats. Nearness to many is "
        "not a copy of one.",
        "Lots of 256 for 2,000 steps were tried first, at epsilon 10 and 1: the loss stalled near the class "
        "means' there too.",
    ],
    "ecg-vae-dp1": [
        "Posterior collapse, as at epsilon 10: a held-out KL of 0.10 nats, one beat per class. At epsilon 1 the V "
        "beat came out close to an N beat, and the evaluator calls 99% of N samples and no V sample as asked.",
        "The copy check flags 41% of its samples (nearer a training beat than 99% of held-out beats): the mean "
        "N beat lies near thousands of training beats. Nearness to many is not a copy of one.",
    ],
})


def limitations(dataset, method, privacy=None, model_id=None):
    """What the data, the family, DP-SGD's guarantee (the card's training.privacy, when trained with it)
    and the one model cannot show, in that order. A model with lines of its own under its id (an exhibit,
    a privacy variant) says those in place of its dataset-and-family's."""
    return (LIMITATIONS.get(dataset, []) + {"gan": GAN_LIMITATIONS, "ar": AR_LIMITATIONS}.get(method, [])
            + (dp_limitations(privacy, dataset) if privacy else [])
            + MODEL_LIMITATIONS.get(model_id, MODEL_LIMITATIONS.get((dataset, method), [])))


def _fmt(v):
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, list):
        return ", ".join(_fmt(x) for x in v)
    if isinstance(v, dict):
        return "; ".join(f"{k}: {_fmt(x)}" for k, x in v.items())
    return str(v)


def readme(card):
    t = card["training"]
    w = card["weights"]
    lines = [f"# {card['name']}", "",
             f"`{card['id']}`: {'an' if card['method'][0] in 'aeiou' else 'a'} {card['method']} model of {card['modality']} ({card['dataset']}; "
             f"classes {', '.join(card['classes'])}), trained with PyTorch in `training/` and exported "
             f"for tfjs. {w['parameters']:,} parameters, stored as {w['storage']} "
             f"({w['files'][0]['bytes']:,} bytes).", "",
             "## Intended use", "", card["intendedUse"], "",
             "## Limitations and known biases", ""]
    lines += [f"- {x}" for x in card["limitations"]]
    lines += ["", "## Measured quality", ""]
    q = card["quality"]
    if not q:
        lines.append("Not measured yet (run `python3 -m training.evaluate --model " + card["id"] + "`).")
    else:
        lines += quality_lines(card) + ["", "Every figure, with its definition, is in `card.json` under `quality`."]
    run = lambda r: (f"{r.get('steps')} steps of batch {r.get('batch')} in {r.get('wallSeconds')} s on "
                     f"{r.get('hardware')} (torch {r.get('torch')}, seed {r.get('seed')}); final loss {_fmt(r.get('finalLoss'))}")
    training = run(t) + "."
    if t.get("initFrom"):                                            # fine-tuned from an exported model (train.py --init-from)
        f = t["initFrom"]
        training = (f"First {run(f['training'])}. Then, starting from those weights as exported "
                    f"(sha256 {f['weightsSha256'][:12]}...), {training}")
    if card["method"] == "ar" and "vqSteps" in t:
        training += (f" The first {t['vqSteps']:,} steps trained the VQ autoencoder, the other "
                     f"{t['steps'] - t['vqSteps']:,} the transformer on its frozen tokens.")
    if t.get("leftOut"):
        left = t["leftOut"]
        training += (f" {left['count']} training samples were left out ("
                     + ", ".join(f"{c} {n}" for c, n in left["byClass"].items() if n) + f"): {left['rule']}.")
    lines += ["", "## Training", "", training, "",
              "## Data", "", f"{card['provenance'].get('source', '')}. Licence: "
              f"{card['provenance'].get('licence', '')}. Cite: {card['provenance'].get('citation', '')}", "",
              "Files: `weights.json` + `weights.bin` (tfjs weights manifest, names are PyTorch module "
              "paths), `card.json` (architecture, schedule, scaling, provenance, quality), `parity.json` "
              "(fixed inputs and PyTorch outputs for the browser port). The forward pass is specified in "
              "`training/ARCHITECTURE.md`.", ""]
    return "\n".join(lines)


def _pct(v):
    return "n/a" if v is None else f"{100 * v:.1f}%"


def _per_class(d):
    return ", ".join(f"{k} {_pct(v)}" for k, v in d.items())


def quality_lines(card):
    """The headline figures as sentences; card.json keeps the full record."""
    q = card["quality"]
    if card["method"] == "classifier":
        out = [f"On the held-out `{q['heldOutSplit']}` split ({q['heldOutCount']} examples): accuracy "
               f"{q['accuracy']:.3f}, balanced accuracy {q['balancedAccuracy']:.3f}, AUC {q['auc']:.3f} "
               f"({q['aucDefinition']}).", "",
               f"Recall per class: {_per_class(q['perClassRecall'])}."]
        for name, b in q.get("publishedBaselines", {}).items():
            out += ["", f"Published baseline, MedMNIST v2 {name}: accuracy {b['acc']}, AUC {b['auc']}."]
        return out
    f, m = q["frechet"], q["memorisation"]
    return [f"{q['samplesPerClass']} samples per class ({_fmt(q['sampler'])}), judged by `{q['evaluator']}`:", "",
            f"- classified as the requested class: {_per_class(q['classifiedAsRequested'])}",
            f"- for scale, real data classified as labelled: training {_per_class(q['realTrainClassifiedAsLabelled'])}; "
            f"held-out {_per_class(q['realHeldOutClassifiedAsLabelled'])}",
            f"- Frechet distance in the evaluator's feature space (classes {', '.join(f['classes'])}, "
            f"up to {q['samplesPerClass']} each, as many as the held-out split has): generated vs held-out {f['generatedVsHeldOut']:.4g}; "
            f"real training vs held-out {f['realTrainVsHeldOut']:.4g}",
            f"- nearest training sample (copies check): median distance {m['medianGeneratedToTrain']:.3g} for "
            f"generated samples vs {m['medianHeldOutToTrain']:.3g} for real held-out ones; "
            f"{_pct(m['fractionGeneratedBelowHeldOutFirstPercentile'])} of generated samples are closer than "
            f"the held-out 1st percentile ({m['heldOutFirstPercentile']:.3g})"] + (
        [f"- held-out reconstruction MSE {q['heldOut']['reconstructionMse']:.4g} (network units), "
         f"negative ELBO {q['heldOut']['negativeElboNats']:.1f} nats"] if "heldOut" in q else []) + (
        independent_lines(q["independentFeatures"]) if "independentFeatures" in q else []) + (
        membership_lines(q["membership"]) if "membership" in q else []) + (
        surround_lines(q["surround"]) if "surround" in q else []) + (
        token_lines(q["tokens"]) if "tokens" in q else [])


def token_lines(t):
    return [f"- tokens (held-out data): the VQ autoencoder reconstructs with MSE {t['heldOutReconstructionMse']:.4g} (network "
            f"units) using {t['codesUsed']} of its {t['codebookSize']} codes (perplexity {t['perplexity']:.0f}); the "
            f"transformer predicts the true tokens at {t['heldOutBitsPerToken']:.2f} bits per token (a uniform guess: "
            f"{t['uniformBitsPerToken']:.0f})"]


def surround_lines(sr):
    share = lambda d: ", ".join(f"{c} {k}/{n}" for c, (k, n) in d.items())
    return [f"- unusual surrounds (border mean beyond the far-out fences {sr['fences'][0]:.3g} to {sr['fences'][1]:.3g} of real "
            f"training images): generated {share(sr['generated'])}; real training {share(sr['realTrain'])}; real held-out "
            f"{share(sr['realHeldOut'])}"]


def membership_lines(m):
    a, d = m["all"], m["dedup"]
    iv = lambda r: f"{r['auc']:.3f} [{r['interval95'][0]:.3f}, {r['interval95'][1]:.3f}]"
    if "generatedPerClass" in m:                                     # a VAE's or a GAN's (training/membership.py)
        how, score = f"distance to the nearest of {m['generatedPerClass']} generated samples of the class", "mean distance"
    else:
        how, score = f"denoising error at t = {', '.join(map(str, m['timesteps']))}, {m['draws']} noise draws", "mean error"
    return [f"- membership test ({how}; "
            f"{a['n'][0]} training vs {a['n'][1]} held-out examples): AUC {iv(a)}; without the "
            f"{m['heldOutNearCopies']} held-out near-copies of training examples {iv(d)}; {score} "
            f"{m['meanError']['train']:.4f} on training examples, {m['meanError']['heldOut']:.4f} on held-out ones"]


def independent_lines(i):
    """The distances in the feature extractor's space, with intervals, at infinite N, and KID."""
    g, r = i["generatedVsHeldOut"], i["realTrainVsHeldOut"]
    iv = lambda c, k: f"{c[k]:.3g} [{c[k + 'Interval95'][0]:.3g}, {c[k + 'Interval95'][1]:.3g}]"
    return [f"- in the independent features of `{i['extractor']}` ({i['dims']} dims; classes {', '.join(i['classes'])}, "
            f"{g['n'][0]} per set, each class as many as the held-out split has up to the samples made; 95% bootstrap "
            f"intervals): Frechet distance generated vs held-out {iv(g, 'frechet')}, "
            f"real training vs held-out {iv(r, 'frechet')}; at infinite N {g['frechetInfinity']:.3g} vs "
            f"{r['frechetInfinity']:.3g}; KID {iv(g, 'kid')} vs {iv(r, 'kid')}"]
