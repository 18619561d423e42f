/**
 * A picture of a network's architecture with the shape at each stage, read off the network itself:
 * one forward pass of a single example through the loaded model, with a StageTrace (layers.ts)
 * noting each stage's output shape, what it does, and the weights it uses. Nothing here restates
 * the builders' loops, so the picture cannot drift from the network that runs.
 */
import * as tf from '@tensorflow/tfjs';
import type { StageTrace } from './layers.js';
import type { LoadedModel } from './loader.js';

export interface ArchitectureStage {
  /** Output shape of one example: [H, W, C], [L, C] or [features]. */
  shape: readonly number[];
  /** What the stage does, in words. */
  what: string;
  /** The module paths of its weights ('down.0.1'); none for a pool, a reshape or an input. */
  paths: readonly string[];
  /** Values in those weights. */
  parameters: number;
}

/** One network of a model, in the order its stages run. */
export interface ArchitecturePart {
  title: string;
  /** What it is for, in a line. */
  role: string;
  stages: ArchitectureStage[];
}

export interface ArchitecturePicture {
  modelId: string;
  parts: ArchitecturePart[];
  /** Every value in the model's weights. */
  parameters: number;
  /** Those no stage names (0 when the picture covers the whole model). */
  unaccounted: number;
}

/** Values in the weights under `path`: the weight named so, or those whose names continue it with '.'. */
function parametersUnder(parameters: Readonly<Record<string, number>>, path: string): number {
  let n = 0;
  for (const [name, size] of Object.entries(parameters)) if (name === path || name.startsWith(`${path}.`)) n += size;
  return n;
}

/**
 * Traces one example through every network of `model` (zeros, class 0, timestep 0: only the shapes
 * matter) and returns its stages. Synchronous; leaves no tensors behind.
 */
export function traceArchitecture(model: LoadedModel): ArchitecturePicture {
  const parts: ArchitecturePart[] = [];
  const part = (title: string, role: string, run: (trace: StageTrace) => tf.TensorContainer) => {
    const stages: ArchitectureStage[] = [];
    const trace: StageTrace = (shape, what, paths) => {
      stages.push({ shape: [...shape], what, paths, parameters: paths.reduce((n, p) => n + parametersUnder(model.parameters, p), 0) });
    };
    tf.dispose(tf.tidy(() => run(trace)));
    parts.push({ title, role, stages });
  };
  const a = model.card.architecture;
  const example = () => tf.zeros([1, ...a.inputShape]);
  switch (model.kind) {
    case 'ddpm':
      part('UNet', 'run once per denoising step: from x_t, the step t and the class y, it predicts the noise ε in x_t',
        (trace) => model.net.predictNoise(example(), [0], [0], trace));
      break;
    case 'vae': {
      const latent = model.net.architecture.latentDim;
      part('Encoder', 'used in training and by the latent map: from a sample and its class, where it lies in the latent space',
        (trace) => Object.values(model.net.encode(example(), [0], trace)));
      part('Decoder', 'run once per sample: from a point z of the latent space and a class, a sample',
        (trace) => model.net.decode(tf.zeros([1, latent]), [0], trace));
      break;
    }
    case 'gan':
      part('Generator', 'run once per sample: from random numbers z and a class, a sample (its discriminator is not shipped)',
        (trace) => model.net.decode(tf.zeros([1, model.net.architecture.latentDim]), [0], trace));
      break;
    case 'ar': {
      const n = model.net.numTokens;
      part('VQ encoder', 'used in training and by the token map: a sample to a grid of codebook indices (tokens)',
        (trace) => model.net.encode(example(), trace));
      part('Transformer', `run once per token, ${n} times a sample: from the class and the tokens so far, a score for every possible next token`,
        (trace) => model.net.logits(tf.zeros([1, n], 'int32') as tf.Tensor2D, [0], trace));
      part('VQ decoder', 'run once per sample: the grid of tokens to a sample',
        (trace) => model.net.decode(tf.zeros([1, n], 'int32') as tf.Tensor2D, n, trace));
      break;
    }
    case 'classifier':
      part('Classifier', 'scores a sample for each class; its features are what distances are measured in',
        (trace) => model.net.logits(example(), trace));
      break;
  }
  const parameters = Object.values(model.parameters).reduce((n, s) => n + s, 0);
  const named = new Set(parts.flatMap((p) => p.stages.flatMap((s) => s.paths)));
  const covered = Object.entries(model.parameters)
    .filter(([name]) => [...named].some((p) => name === p || name.startsWith(`${p}.`)))
    .reduce((n, [, size]) => n + size, 0);
  return { modelId: model.card.id, parts, parameters, unaccounted: parameters - covered };
}
