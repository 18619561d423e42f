/**
 * The terms the page uses, each in plain words, and for those who want it the maths, with the
 * names the code uses beside the symbols (src/diffusion/schedulers.ts, denoise.ts, tokens.ts,
 * latent.ts). Pure data.
 */

import type { GeneratorMethod } from '../models/card.js';

export interface Term {
  /** An anchor: #term-<id>. */
  id: string;
  term: string;
  plain: string;
  /** The maths, with the code's names; lines of text. */
  maths?: string[];
}

/** The glossary term of each family. */
export const METHOD_TERM: Readonly<Record<GeneratorMethod, string>> = { ddpm: 'diffusion', vae: 'vae', gan: 'gan', ar: 'transformer' };

export const GLOSSARY: readonly Term[] = [
  {
    id: 'families',
    term: 'The four families',
    plain: 'Four ways to learn to make samples like the training data. A GAN makes a sample in one pass from random numbers, trained against a critic. A VAE decodes a point of a small latent space in one pass. An autoregressive transformer picks a sample\'s codes one at a time. A diffusion model removes noise over many passes. Typical failings: the GAN collapses onto few kinds of sample, the VAE blurs, the transformer loses its way, and diffusion is slow and can copy its training images.',
  },
  {
    id: 'diffusion',
    term: 'Diffusion model (DDPM)',
    plain: 'A network trained to predict the noise that was added to a real sample. Sampling starts from pure noise and removes the predicted noise a step at a time.',
    maths: ['Training: x_t = sqrt(alpha_bar_t) x_0 + sqrt(1 - alpha_bar_t) eps, with eps ~ N(0, I); the loss is |eps - eps_theta(x_t, t, class)|².'],
  },
  {
    id: 'x-t',
    term: 'x_t (the noisy sample)',
    plain: 'The sample at timestep t of a run: signal scaled down plus noise. Near t = T it is almost all noise; at the end it is the finished sample.',
  },
  {
    id: 'x0',
    term: 'Predicted clean sample (x_0)',
    plain: 'What the network guesses the finished sample will be, from x_t alone. Early in a run it is a blurred average; it sharpens as the noise goes.',
    maths: ['x0 = (x_t - sqrt(1 - a_t) eps) / sqrt(a_t)   (schedulers.ts: x0, a_t = alphaBar[t], eps the guided prediction), clipped to the data range.'],
  },
  {
    id: 'predicted-noise',
    term: 'Predicted noise (ε̂)',
    plain: 'What the network outputs at every step: its guess of the noise in x_t. The sampler removes a share of it and keeps going. With guidance, the guess told the class is pushed away from the guess told "no class"; their difference is what guidance scales up.',
    maths: ['eps = eps_uncond + w (eps_cond - eps_uncond)   (src/diffusion/denoise.ts guidedNoise); the viewer draws eps and eps_cond - eps_uncond (src/pipeline/pipeline.ts predictNoiseAt).'],
  },
  {
    id: 'forward-noising',
    term: 'Forward noising',
    plain: 'The process a diffusion model is trained to undo: a real sample scaled down and mixed with noise, more of it at larger t. Noising a real sample with the run\'s own starting noise shows what x_t would be, had the run been heading for that sample.',
    maths: ['x_t = sqrt(alpha_bar_t) x_0 + sqrt(1 - alpha_bar_t) eps   (src/diffusion/schedule.ts noiseTo).'],
  },
  {
    id: 'schedule',
    term: 'Noise schedule (alpha-bar)',
    plain: 'How much of the clean signal is left at each of the T training timesteps: alpha_bar(t) falls from nearly 1 to nearly 0. It is fixed in training; sampling may visit fewer timesteps.',
    maths: ['alpha_bar_t = prod_{s <= t} (1 - beta_s)   (schedule.ts: alphasCumprod(makeBetas(...))).'],
  },
  {
    id: 'ddim',
    term: 'DDIM, steps and eta',
    plain: 'A sampler that jumps along the schedule in as many steps as asked. eta 0 makes it deterministic (same seed, same sample); eta 1 adds fresh noise every step, as the original DDPM sampler does.',
    maths: [
      'x_prev = sqrt(a_prev) x0 + sqrt(1 - a_prev - sigma²) eps + sigma z   (cX0, cOther, cNoise)',
      'sigma = eta sqrt((1 - a_prev)/(1 - a_t)) sqrt(1 - a_t/a_prev)',
    ],
  },
  {
    id: 'guidance',
    term: 'Classifier-free guidance',
    plain: 'Each step predicts the noise twice, told the class and told "no class", and goes past the first, away from the second, by the guidance scale. Above 1: samples look more like their class and more like one another.',
    maths: ['eps = eps_uncond + w (eps_cond - eps_uncond)   (denoise.ts guidedNoise: unconditional, conditional, guidance = w).'],
  },
  {
    id: 'vae',
    term: 'VAE, latent and prior',
    plain: 'A variational autoencoder squeezes each sample into a short vector, its latent, and learns to decode it back. Latents are kept close to a standard normal distribution, the prior, so any draw from it decodes to a sample. Its samples are usually smoother than real data.',
    maths: ['Loss: reconstruction error + KL(q(z|x) || N(0, I)); sampling: z ~ N(0, temperature² I), x = decoder(z, class).'],
  },
  {
    id: 'temperature',
    term: 'Temperature',
    plain: 'For a VAE, the spread of the prior the latents are drawn from: lower gives typical, alike samples. For a transformer, how sharp the next-code probabilities are: 0 always takes the likeliest code.',
    maths: ['Transformer: p_i ∝ exp(logit_i / temperature)   (tokens.ts).'],
  },
  {
    id: 'gan',
    term: 'GAN and truncation',
    plain: 'A generator turns a random latent into a sample in one pass, trained against a discriminator that tries to tell its samples from real ones. Truncation draws the latent from a narrower range: more typical samples, less variety.',
    maths: ['z ~ N(0, I) with every |z_i| <= truncation (redrawn beyond it); x = G(z, class).'],
  },
  {
    id: 'transformer',
    term: 'Autoregressive transformer, tokens and codebook',
    plain: 'A small autoencoder turns each sample into a grid of codes from a fixed list, the codebook. The transformer predicts one code at a time from the class and the codes before it; the finished grid is decoded back to a sample.',
    maths: ['p(codes | class) = prod_i p(code_i | class, code_1..code_{i-1}); top-k keeps the k likeliest codes, top-p the likeliest whose probabilities sum to p.'],
  },
  {
    id: 'architecture',
    term: 'Architecture, shapes and parameters',
    plain: 'The stages a network passes an example through. Convolutions look at small neighbourhoods; pooling halves the size so later stages see more at once; channels are the features kept at each position. A UNet shrinks the image, then grows it back, joining each level to its mirror (the skips) so fine detail survives. Parameters are the learned numbers.',
    maths: ['UNet: eps = unet.predictNoise(x_t, t, y); ResBlock: out = skip(x) + conv2(silu(norm2(conv1(silu(norm1(x))) + emb_proj(silu(emb)))))   (src/models/layers.ts resBlock).'],
  },
  {
    id: 'seed',
    term: 'Seed',
    plain: 'The number every random draw of a run is made from. The same seed and settings make the same samples, on any device; that is what makes a link reproduce what was on screen.',
  },
  {
    id: 'latent-map',
    term: 'Latent map (principal axes)',
    plain: 'Each real sample encoded to the mean of its latent, and the means laid out on the two directions along which they vary most. Points close on the map have similar latents; any point on it can be decoded. Two axes hold only part of the variance: the rest is out of the picture.',
    maths: ['The axes are the top two eigenvectors of the means\' covariance; a map point (u, v) decodes as mean + u a_1 + v a_2   (src/app/latent-map.ts principalPlane, unproject).'],
  },
  {
    id: 'visual-turing',
    term: 'Spot the fake (visual Turing test)',
    plain: 'Real held-out and synthetic samples, half and half in random order, each called real or synthetic. 50% right is what guessing scores; a score whose interval includes 50% cannot tell the two apart. Medical GAN papers report the same test with radiologists.',
    maths: [
      'Wilson 95% interval of k right of n (src/game/spot-the-fake.ts proportion); p = P(at least k right of n by guessing), the one-sided binomial tail (binomialTailHalf).',
    ],
  },
  {
    id: 'surround',
    term: 'Surround check (artefacts)',
    plain: 'The mean brightness of each image\'s border, set against the spread of the training images\' borders. A border far outside it (a white surround round a fundus photograph, which is black in real ones) is an artefact real data does not have.',
    maths: ['Flagged beyond the far-out fences of the training borders: below Q1 - 3 IQR or above Q3 + 3 IQR   (src/judge/artefacts.ts borderMean, farOutFences).'],
  },
  {
    id: 'beat-features',
    term: 'ECG beat features',
    plain: 'Measurements a cardiologist reads off a heartbeat\'s shape: the height of the R peak above the baseline, the width of the QRS complex, and the ST level after it. None depends on the heart rate. Synthetic beats\' are set beside real beats\' of the same class.',
    maths: ['R amplitude = max(beat - baseline) within 50 ms of the R peak; QRS width = offset - onset; ST level = mean(beat - baseline) over J + 60 ms ± 10 ms   (src/judge/ecg-features.ts).'],
  },
  {
    id: 'held-out',
    term: 'Held-out data',
    plain: 'Real samples the model never saw in training. They are what synthetic samples are compared with, and what a copy of a training sample is told apart from.',
  },
  {
    id: 'frechet',
    term: 'Frechet distance and real-vs-real',
    plain: 'A distance between two sets of samples, from the mean and spread of their features in a network trained on real data. Alone it means little: the page and the cards always set it beside the same distance between two real sets, real-vs-real.',
    maths: ['FD = |mu_1 - mu_2|² + trace(S_1 + S_2 - 2 (S_1 S_2)^½)   (src/metrics/frechet.ts).'],
  },
  {
    id: 'prdc',
    term: 'Precision, recall, density, coverage',
    plain: 'Fidelity and diversity measured separately: how many synthetic samples fall where real ones are (precision, density), and how much of the real data the synthetic samples reach (recall, coverage).',
  },
  {
    id: 'nearest',
    term: 'Nearest training sample (memorisation)',
    plain: 'For each synthetic sample, the distance to the closest training sample. Much closer than real held-out samples ever come means a likely copy of a patient\'s record.',
  },
  {
    id: 'membership',
    term: 'Membership test (AUC)',
    plain: 'Can someone with the model tell whether a given record was in its training set? The test scores training and held-out records the same way; an AUC of 0.5 means it cannot tell, above 0.5 that the model leaks membership.',
  },
  {
    id: 'tstr',
    term: 'Train on synthetic, test on real',
    plain: 'A classifier trained on synthetic samples only and tested on real held-out ones, beside the same classifier trained on real data: how useful the synthetic data is for learning.',
  },
  {
    id: 'evaluator',
    term: 'Evaluator and feature extractor',
    plain: 'Small networks trained on real data only, shipped with their own cards: the evaluator says which class a sample looks like; the feature extractor gives the features the distances are measured in.',
  },
  {
    id: 'federated',
    term: 'Federated learning (FedAvg, FedProx)',
    plain: 'Hospitals train one model together without pooling records: each trains the shared model on its own records for a while, sends back only its weights, and the shared model becomes their average, weighted by how many records each holds. When hospitals see different patients (different class mixes), their local models pull apart (client drift); FedProx adds a term that holds each hospital near the shared weights.',
    maths: [
      'FedAvg (McMahan et al., 2017): w_{t+1} = sum_k (n_k / n) w_k, where w_k is hospital k\'s weights after local training from w_t',
      'FedProx (Li et al., 2020): each hospital minimises its loss + (mu / 2) ||w - w_t||^2   (code: mu)',
      'Class skew: each class\'s share per hospital ~ Dirichlet(alpha, ..., alpha)   (code: alpha; small alpha, few classes each)',
    ],
  },
  {
    id: 'feedback-loop',
    term: 'Feedback loop (model collapse)',
    plain: 'When a model learns from another model\'s synthetic data, and the next from its, each generation keeps a little less of the real data\'s variety: rare classes and unusual records are modelled worst and fade first, and the class mix drifts. Synthetic data can amplify the imbalance of its source.',
  },
  {
    id: 'dp-sgd',
    term: 'Differential privacy (DP-SGD, epsilon)',
    plain: 'A guarantee that the trained model would be about as likely whether or not any one record was in the training data. DP-SGD gets it by clipping each record\'s gradient and adding Gaussian noise to their sum. Epsilon measures the privacy spent: it grows with every step; smaller is more private (around 1 is strong, 10 is weak). Delta is the small chance the guarantee fails.',
    maths: [
      'g = ( sum_i g_i / max(1, ||g_i|| / C) + N(0, sigma^2 C^2 I) ) / B   (code: clip C, sigma, batch B)',
      'Accountant: Renyi DP of the sampled Gaussian at rate q = B / n, composed over steps, converted to (epsilon, delta) (Mironov et al., 2019)',
    ],
  },
];
