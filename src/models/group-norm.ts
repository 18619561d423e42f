/**
 * GroupNorm, optionally followed by SiLU, as one tfjs kernel: `MslGroupNorm`.
 *
 * Composed from tfjs ops, one GroupNorm is a dozen kernels (moments' mean, subtract, square and
 * mean, then subtract, rsqrt, two multiplies and an add) and SiLU two more; a UNet pass runs two
 * dozen of them. On WebGPU each kernel is a dispatch, and dispatches are what a denoising step's
 * time goes to; on WASM the broadcasting subtracts and the means over inner axes are slow. So:
 *
 *   webgpu     one compute shader, one workgroup per (sample, group): the group's mean, then its
 *              centred variance, then the normalised, scaled and shifted values (and SiLU)
 *   wasm, cpu  JavaScript over the backend's own memory (groupNormInto); SiLU then runs as the
 *              backend's own sigmoid and multiply, which beat JavaScript's Math.exp
 *   others     (WebGL) the composed ops, which every backend has
 *
 * Inputs are channels-last (B, N positions, C); groups are consecutive channels, the variance is
 * the biased one and eps is inside the square root, as PyTorch's nn.GroupNorm.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

export const GROUP_NORM_KERNEL = 'MslGroupNorm';

export interface GroupNormAttrs {
  groups: number;
  eps: number;
  /** Apply SiLU, x * sigmoid(x), to the result. */
  silu: boolean;
}

type Attrs = GroupNormAttrs & tf.NamedAttrMap;

/**
 * The arithmetic of the CPU and WASM kernels: x (B, N, C) flat, gamma and beta (C,) -> out.
 * One pass per group for the sum and the sum of squares, then one per channel for the output. The
 * sums are float64 (JavaScript numbers), so the variance E[x^2] - mean^2 stays accurate to about
 * 1e-9 even where the mean is 1000 times the spread (in float32 it would be lost).
 */
export function groupNormInto(
  x: Float32Array, gamma: Float32Array, beta: Float32Array, out: Float32Array,
  batch: number, channels: number, { groups, eps, silu }: GroupNormAttrs,
): void {
  const C = channels;
  const per = C / groups;
  const N = x.length / (batch * C);
  const count = N * per;
  for (let b = 0; b < batch; b++) {
    for (let g = 0; g < groups; g++) {
      const first = b * N * C + g * per;   // the group's first value of the sample's first position
      let sum = 0;
      let squares = 0;
      for (let p = first; p < first + N * C; p += C) {
        for (let i = p; i < p + per; i++) {
          const v = x[i]!;
          sum += v;
          squares += v * v;
        }
      }
      const mean = sum / count;
      const rstd = 1 / Math.sqrt(Math.max(0, squares / count - mean * mean) + eps);
      for (let c = 0; c < per; c++) {
        const scale = rstd * gamma[g * per + c]!;
        const shift = beta[g * per + c]!;
        for (let i = first + c; i < first + N * C; i += C) {
          const y = (x[i]! - mean) * scale + shift;
          out[i] = silu ? y / (1 + Math.exp(-y)) : y;
        }
      }
    }
  }
}

/** Checks the kernel's inputs and returns (B, C). */
function shapeOf(x: tf.TensorInfo, gamma: tf.TensorInfo, groups: number): [number, number] {
  const [B, , C] = x.shape as [number, number, number];
  if (x.shape.length !== 3 || gamma.shape[0] !== C || C % groups !== 0) {
    throw new Error(`${GROUP_NORM_KERNEL}: x [${x.shape.join(', ')}] with ${gamma.shape[0]} channels of affine weights in ${groups} groups`);
  }
  return [B, C];
}

type Inputs = { x: tf.TensorInfo; gamma: tf.TensorInfo; beta: tf.TensorInfo };

const wasmKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, gamma, beta } = inputs as Inputs;
  const wasm = backend as BackendWasm;
  const [B, C] = shapeOf(x, gamma, (attrs as Attrs).groups);
  const out = wasm.makeOutput(x.shape, 'float32');
  // Views into the WASM heap, taken after the output's allocation (which can grow the heap)
  const view = (t: tf.TensorInfo) => wasm.typedArrayFromHeap(t) as Float32Array;
  groupNormInto(view(x), view(gamma), view(beta), view(out), B, C, attrs as Attrs);
  return out;
};

interface CpuBackend extends tf.KernelBackend {
  data: { get(id: tf.DataId): { values: tf.backend_util.BackendValues } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: tf.backend_util.BackendValues): tf.TensorInfo;
}

const cpuKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, gamma, beta } = inputs as Inputs;
  const cpu = backend as CpuBackend;
  const [B, C] = shapeOf(x, gamma, (attrs as Attrs).groups);
  const values = (t: tf.TensorInfo) => cpu.data.get(t.dataId).values as Float32Array;
  const out = new Float32Array(tf.util.sizeFromShape(x.shape));
  groupNormInto(values(x), values(gamma), values(beta), out, B, C, attrs as Attrs);
  return cpu.makeTensorInfo(x.shape, 'float32', out);
};

/**
 * One workgroup per (sample, group). Its threads stride over the group's positions x channels
 * three times: sum for the mean, sum of squared deviations for the variance (a tree reduction in
 * workgroup memory each), then write (x - mean) * rstd * gamma + beta, and SiLU.
 */
class GroupNormProgram implements WebGPUProgram {
  readonly variableNames = ['x', 'gamma', 'beta'];
  readonly uniforms = 'positions : i32, groups : i32, groupChannels : i32, eps : f32,';
  readonly outputShape: number[];
  readonly dispatchLayout = { x: [0, 1, 2] };
  readonly dispatch: [number, number, number];
  readonly workgroupSize: [number, number, number];
  readonly shaderKey: string;

  constructor(shape: readonly number[], groups: number, private readonly silu: boolean) {
    const [B, N, C] = shape as [number, number, number];
    this.outputShape = [B, N, C];
    this.dispatch = [B * groups, 1, 1];
    this.workgroupSize = [(N * C) / groups >= 4096 ? 256 : 64, 1, 1];
    this.shaderKey = `msl_group_norm_${silu ? 'silu' : 'plain'}`;
  }

  getUserCode(): string {
    const size = this.workgroupSize[0];
    return `
      var<workgroup> partial : array<f32, ${size}>;

      fn workgroupSum(value : f32) -> f32 {
        partial[localId.x] = value;
        workgroupBarrier();
        for (var stride = ${size / 2}u; stride > 0u; stride = stride / 2u) {
          if (localId.x < stride) {
            partial[localId.x] = partial[localId.x] + partial[localId.x + stride];
          }
          workgroupBarrier();
        }
        let total = partial[0];
        workgroupBarrier();
        return total;
      }

      fn main(index : i32) {
        let sample = i32(workgroupId.x) / uniforms.groups;
        let group = i32(workgroupId.x) % uniforms.groups;
        let per = uniforms.groupChannels;
        let channels = uniforms.groups * per;
        let count = uniforms.positions * per;
        let first = sample * uniforms.positions * channels + group * per;

        var sum = 0.0;
        for (var k = i32(localId.x); k < count; k = k + ${size}) {
          sum = sum + x[first + (k / per) * channels + k % per];
        }
        let mean = workgroupSum(sum) / f32(count);

        var squares = 0.0;
        for (var k = i32(localId.x); k < count; k = k + ${size}) {
          let d = x[first + (k / per) * channels + k % per] - mean;
          squares = squares + d * d;
        }
        let rstd = inverseSqrt(workgroupSum(squares) / f32(count) + uniforms.eps);

        for (var k = i32(localId.x); k < count; k = k + ${size}) {
          let i = first + (k / per) * channels + k % per;
          let c = group * per + k % per;
          var y = (x[i] - mean) * rstd * gamma[c] + beta[c];
          ${this.silu ? 'y = y / (1.0 + exp(-y));' : ''}
          result[i] = y;
        }
      }`;
  }
}

const webgpuKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, gamma, beta } = inputs as Inputs;
  const { groups, eps, silu } = attrs as Attrs;
  const [B, C] = shapeOf(x, gamma, groups);
  const program = new GroupNormProgram(x.shape, groups, silu);
  if (program.dispatch[0] > 65535) throw new Error(`${GROUP_NORM_KERNEL}: ${B} samples x ${groups} groups is more workgroups than WebGPU dispatches`);
  return (backend as WebGPUBackend).runWebGPUProgram(program, [x, gamma, beta], 'float32', [
    { type: 'int32', data: [x.shape[1]!] },
    { type: 'int32', data: [groups] },
    { type: 'int32', data: [C / groups] },
    { type: 'float32', data: [eps] },
  ]);
};

for (const [backendName, kernelFunc] of [['webgpu', webgpuKernel], ['wasm', wasmKernel], ['cpu', cpuKernel]] as const) {
  if (!tf.getKernel(GROUP_NORM_KERNEL, backendName)) tf.registerKernel({ kernelName: GROUP_NORM_KERNEL, backendName, kernelFunc });
}

/** GroupNorm from tfjs ops: what a backend without the kernel (WebGL) runs. */
function composedGroupNorm(x: tf.Tensor3D, gamma: tf.Tensor, beta: tf.Tensor, { groups, eps, silu }: GroupNormAttrs): tf.Tensor {
  const [B, N, C] = x.shape;
  const grouped = tf.reshape(x, [B, N, groups, C / groups]);           // (B, N, G, C/G)
  const { mean, variance } = tf.moments(grouped, [1, 3], true);        // each (B, 1, G, 1)
  const normed = tf.mul(tf.sub(grouped, mean), tf.rsqrt(tf.add(variance, eps)));
  const y = tf.add(tf.mul(tf.reshape(normed, x.shape), gamma), beta);  // (B, N, C)
  return silu ? tf.mul(y, tf.sigmoid(y)) : y;
}

/**
 * GroupNorm (and SiLU) of x (B, *S, C) with per-channel gamma and beta (C,): the backend's
 * MslGroupNorm kernel where it has one, else (or when `path` is 'composed', for tests that
 * compare the two) the composed ops. Leaves intermediates to the caller's tidy.
 */
export function groupNormOp(
  x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, attrs: GroupNormAttrs, path: 'kernel' | 'composed' = 'kernel',
): tf.Tensor {
  const B = x.shape[0] ?? 1;
  const C = x.shape[x.rank - 1] ?? 1;
  const x3 = tf.reshape(x, [B, x.size / (B * C), C]) as tf.Tensor3D;
  const backend = tf.getBackend();
  if (path === 'composed' || !tf.getKernel(GROUP_NORM_KERNEL, backend)) return tf.reshape(composedGroupNorm(x3, gamma, beta, attrs), x.shape);
  // JavaScript's Math.exp is slower than the CPU backends' own sigmoid kernels, so there SiLU runs as ops
  const fuseSilu = backend === 'webgpu';
  const y = tf.engine().runKernel(GROUP_NORM_KERNEL, { x: x3, gamma, beta }, { ...attrs, silu: attrs.silu && fuseSilu }) as tf.Tensor;
  return tf.reshape(attrs.silu && !fuseSilu ? tf.mul(y, tf.sigmoid(y)) : y, x.shape);
}
