/** Benchmark settings in the page's address, and the command-line flags read through them. */
import { describe, expect, it } from 'vitest';
import { BENCH_DEFAULTS, CLI_BUDGET_S, QUICK, benchParams, parseBenchParams } from '../../../src/bench/config.js';
import { parseCli } from '../../../scripts/bench/cli.js';

describe('bench settings in the address', () => {
  it('takes the defaults when the address names nothing', () => {
    expect(parseBenchParams('')).toEqual({ settings: BENCH_DEFAULTS, notices: [] });
  });

  it('reads every parameter, and writes back what it read', () => {
    const search = '?models=xray-ddpm,ecg-vae&modelsBase=bench-models&backends=webgpu,wasm&batches=1,16&steps=20&repeats=5&stepSamples=4&seed=7&guidance=1.5&budget=90&autorun=1';
    const { settings, notices } = parseBenchParams(search);
    expect(notices).toEqual([]);
    expect(settings).toEqual({
      models: ['xray-ddpm', 'ecg-vae'], modelsBase: 'bench-models/', backends: ['webgpu', 'wasm'], batches: [1, 16],
      steps: 20, repeats: 5, stepSamples: 4, seed: 7, guidance: 1.5, budgetS: 90, autorun: true,
    });
    expect(parseBenchParams(benchParams(settings)).settings).toEqual(settings);
  });

  it('keeps the default of a value it cannot use, and says so', () => {
    const { settings, notices } = parseBenchParams('?backends=webgpu,quantum&batches=1,0&steps=ten&repeats=0');
    expect(settings.backends).toEqual(BENCH_DEFAULTS.backends);
    expect(settings.batches).toEqual(BENCH_DEFAULTS.batches);
    expect(settings.steps).toBe(50);
    expect(settings.repeats).toBe(3);
    expect(notices).toEqual([
      '?backends=webgpu,quantum names no backend of webgpu, webgl, wasm, cpu; using the default.',
      '?batches=1,0 is not a list of positive whole numbers; using the default.',
      '?steps=ten is not a whole number of at least 1; using the default.',
      '?repeats=0 is not a whole number of at least 1; using the default.',
    ]);
  });
});

describe('bench command-line flags', () => {
  it('bounds every configuration by default and applies --quick before the flags given', () => {
    const cli = parseCli(['--quick', '--steps', '4', '--models-dir', 'x'], { backends: ['webgpu', 'wasm'] });
    if (cli === 'help') throw new Error('unexpected');
    expect(cli.settings).toMatchObject({ ...QUICK, steps: 4, backends: ['webgpu', 'wasm'], budgetS: CLI_BUDGET_S });
    expect(cli.modelsDir).toBe('x');
    const unbounded = parseCli(['--budget-s', '0'], {});
    expect(unbounded !== 'help' && unbounded.settings.budgetS).toBe(null);
  });

  it('refuses a flag value the page would not accept', () => {
    expect(() => parseCli(['--batches', '1,x'], {})).toThrow('--batches 1,x is not a list of positive whole numbers.');
  });
});
