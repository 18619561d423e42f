import { describe, expect, it } from 'vitest';
import {
  type CachedChoice, type ChoiceStorage, type DeviceFacts, type Started, type Trial, cacheKey, chooseBackend, forcedLine,
  measureOrder, readCachedChoice, skipReason, softwareAdapter, softwareWebGlRenderer, writeCachedChoice,
} from '../../src/runtime/choice.js';
import { MemoryStorage } from '../shared/memory-storage.js';

describe('software GPUs', () => {
  it('are recognised from the WebGPU adapter info, whichever field names them', () => {
    expect(softwareAdapter({ vendor: 'google', architecture: 'swiftshader', device: '', description: '' })).toBe('SwiftShader');
    expect(softwareAdapter({ description: 'SwiftShader Device (Subzero)' })).toBe('SwiftShader');
    expect(softwareAdapter({ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.7, 256 bits)' })).toBe('llvmpipe');
    expect(softwareAdapter({ device: 'Lavapipe' })).toBe('lavapipe');
    expect(softwareAdapter({ description: 'Microsoft Basic Render Driver' })).toBe('Microsoft Basic Render Driver');
  });

  it('include any adapter the browser flags as a fallback', () => {
    expect(softwareAdapter({ vendor: 'acme', isFallbackAdapter: true })).toBe('a fallback adapter');
  });

  it('are not hardware adapters', () => {
    expect(softwareAdapter({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100 80GB HBM3' })).toBeNull();
    expect(softwareAdapter({ vendor: 'apple', architecture: 'metal-3', isFallbackAdapter: false })).toBeNull();
    expect(softwareAdapter({})).toBeNull();
  });

  it('are recognised from the WebGL renderer string', () => {
    expect(softwareWebGlRenderer('ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)')).toBe('SwiftShader');
    expect(softwareWebGlRenderer('llvmpipe (LLVM 12.0.0, 256 bits)')).toBe('llvmpipe');
    expect(softwareWebGlRenderer('ANGLE (Microsoft, Microsoft Basic Render Driver Direct3D11 vs_5_0 ps_5_0, D3D11)')).toBe('Microsoft Basic Render Driver');
    expect(softwareWebGlRenderer('Software Rasterizer')).toBe('a software renderer');
    expect(softwareWebGlRenderer('ANGLE (NVIDIA, NVIDIA GeForce RTX 3080 Direct3D11 vs_5_0 ps_5_0, D3D11)')).toBeNull();
    expect(softwareWebGlRenderer('Apple M2')).toBeNull();
    expect(softwareWebGlRenderer(null)).toBeNull();
  });
});

const SWIFTSHADER = 'SwiftShader';
const started = (backend: Started['backend'], software: string | null = null): Started => ({ backend, software });

describe('which backends are timed', () => {
  const softwareMachine = [started('webgpu', SWIFTSHADER), started('webgl', SWIFTSHADER), started('wasm'), started('cpu')];

  it('times software GPUs last, so that their work left over after the cap slows nothing else', () => {
    expect(measureOrder(softwareMachine).map((s) => s.backend)).toEqual(['wasm', 'cpu', 'webgpu', 'webgl']);
    const hardware = [started('webgpu'), started('webgl'), started('wasm')];
    expect(measureOrder(hardware).map((s) => s.backend)).toEqual(['webgpu', 'webgl', 'wasm']);
  });

  it('skips software GPUs when WASM runs, and says why', () => {
    expect(skipReason(started('webgl', SWIFTSHADER), softwareMachine)).toMatch(/software GPU here \(SwiftShader\); not measured/);
    expect(skipReason(started('webgpu', SWIFTSHADER), softwareMachine)).toMatch(/software GPU here \(SwiftShader\); not measured/);
    expect(skipReason(started('wasm'), softwareMachine)).toBeNull();
  });

  it('times software GPUs where WASM cannot run, and hardware GPUs always', () => {
    const noWasm = softwareMachine.filter((s) => s.backend !== 'wasm');
    expect(skipReason(started('webgpu', SWIFTSHADER), noWasm)).toBeNull();
    expect(skipReason(started('webgl', SWIFTSHADER), noWasm)).toBeNull();
    const hardware = [started('webgpu'), started('webgl'), started('wasm')];
    expect(skipReason(started('webgpu'), hardware)).toBeNull();
    expect(skipReason(started('webgl'), hardware)).toBeNull();
  });

  it('skips plain JavaScript unless nothing else started', () => {
    expect(skipReason(started('cpu'), softwareMachine)).toMatch(/not measured/);
    expect(skipReason(started('cpu'), [started('cpu')])).toBeNull();
  });
});

describe('the automatic choice', () => {
  it('picks WASM on a machine whose GPUs are software, and says so with its figure', () => {
    const trials: Trial[] = [
      { backend: 'webgpu', status: 'skipped', software: SWIFTSHADER, reason: 'runs on a software GPU here (SwiftShader); not measured' },
      { backend: 'webgl', status: 'skipped', software: SWIFTSHADER, reason: 'runs on a software GPU here (SwiftShader); not measured' },
      { backend: 'wasm', status: 'measured', software: null, ms: 38.3 },
      { backend: 'cpu', status: 'skipped', software: null, reason: 'not measured: the slowest backend' },
    ];
    const choice = chooseBackend(trials)!;
    expect(choice.backend).toBe('wasm');
    expect(choice.line).toBe(
      'WASM: WebGPU and WebGL run on a software GPU here (SwiftShader), far slower than WASM at this work, so they were ' +
        'not timed; WASM took 38 ms for a test block of the default run',
    );
    expect(choice.passedOver.map((p) => p.backend)).toEqual(['webgpu', 'webgl', 'cpu']);
  });

  it('picks WASM over a GPU that ran over its cap, and says so with the figures', () => {
    const trials: Trial[] = [
      { backend: 'webgpu', status: 'over-cap', software: SWIFTSHADER, capMs: 400 },
      { backend: 'webgl', status: 'skipped', software: SWIFTSHADER, reason: 'runs on a software GPU here (SwiftShader); not measured' },
      { backend: 'wasm', status: 'measured', software: null, ms: 10 },
      { backend: 'cpu', status: 'skipped', software: null, reason: 'not measured: the slowest backend' },
    ];
    const choice = chooseBackend(trials)!;
    expect(choice.backend).toBe('wasm');
    expect(choice.line).toBe(
      'WASM: at least 40x faster here than WebGPU on a software GPU (SwiftShader), 10 ms against over 400 ms for a ' +
        'test block of the default run; WebGL also runs on a software GPU, not measured',
    );
    expect(choice.passedOver).toEqual([
      { backend: 'webgpu', reason: 'over 400 ms for the test block on a software GPU (SwiftShader), slower than 10 ms on WASM' },
      { backend: 'webgl', reason: 'runs on a software GPU here (SwiftShader); not measured' },
      { backend: 'cpu', reason: 'not measured: the slowest backend' },
    ]);
  });

  it('picks the fastest measured backend and compares it with the runner-up', () => {
    const trials: Trial[] = [
      { backend: 'webgpu', status: 'measured', software: null, ms: 2.5 },
      { backend: 'webgl', status: 'measured', software: null, ms: 6 },
      { backend: 'wasm', status: 'measured', software: null, ms: 75 },
    ];
    const choice = chooseBackend(trials)!;
    expect(choice.backend).toBe('webgpu');
    expect(choice.line).toBe('WebGPU: 2.4x faster here than WebGL, 2.5 ms against 6.0 ms for a test block of the default run');
    expect(choice.passedOver.map((p) => p.backend)).toEqual(['webgl', 'wasm']);
    expect(choice.passedOver[1]!.reason).toBe('75 ms for the test block, slower than 2.5 ms on WebGPU');
  });

  it('lets a hardware GPU win over WASM when it is faster, whatever the order', () => {
    const trials: Trial[] = [
      { backend: 'webgpu', status: 'unavailable', reason: 'navigator.gpu is missing' },
      { backend: 'webgl', status: 'measured', software: null, ms: 30 },
      { backend: 'wasm', status: 'measured', software: null, ms: 20 },
    ];
    expect(chooseBackend(trials)!.backend).toBe('wasm');
    expect(chooseBackend(trials)!.passedOver[0]).toEqual({ backend: 'webgpu', reason: 'navigator.gpu is missing' });
  });

  it('counts a backend over its cap as slower than every one that finished', () => {
    const trials: Trial[] = [
      { backend: 'webgpu', status: 'over-cap', software: null, capMs: 2000 },
      { backend: 'wasm', status: 'measured', software: null, ms: 390 },
    ];
    expect(chooseBackend(trials)!.backend).toBe('wasm');
  });

  it('prefers hardware, then the usual order, when every backend ran over its cap', () => {
    const trials: Trial[] = [
      { backend: 'webgpu', status: 'over-cap', software: SWIFTSHADER, capMs: 400 },
      { backend: 'wasm', status: 'over-cap', software: null, capMs: 400 },
    ];
    const choice = chooseBackend(trials)!;
    expect(choice.backend).toBe('wasm');
    expect(choice.line).toBe('WASM: every backend timed took over 400 ms for the test block here; WASM is the first of them in order not on a software GPU');
  });

  it('names the software GPU when it wins anyway (no WASM)', () => {
    const trials: Trial[] = [
      { backend: 'webgpu', status: 'measured', software: SWIFTSHADER, ms: 300 },
      { backend: 'webgl', status: 'unavailable', reason: 'no WebGL 2' },
      { backend: 'wasm', status: 'unavailable', reason: 'WebAssembly is not available' },
      { backend: 'cpu', status: 'skipped', software: null, reason: 'not measured' },
    ];
    const choice = chooseBackend(trials)!;
    expect(choice.backend).toBe('webgpu');
    expect(choice.line).toContain('the only backend measured here (300 ms');
    expect(choice.line).toContain('WebGPU itself runs on a software GPU (SwiftShader): correct, but slow');
  });

  it('has nothing to pick when nothing was timed', () => {
    expect(chooseBackend([{ backend: 'webgpu', status: 'unavailable', reason: 'none' }])).toBeNull();
  });

  it('names a software GPU even when the address forces it', () => {
    expect(forcedLine('wasm', 'wasm', null)).toBe('WASM: forced by ?backend=wasm');
    expect(forcedLine('webgl', 'webgl', SWIFTSHADER)).toMatch(/^WebGL: forced by \?backend=webgl; it runs on a software GPU here \(SwiftShader\)/);
    expect(forcedLine('webgpu', 'webgl', null)).toMatch(/^WebGL: \?backend=webgpu could not start here/);
  });
});

describe('the per-device cache of the choice', () => {
  const facts: DeviceFacts = { adapter: '{"vendor":"google","architecture":"swiftshader"}', renderer: 'ANGLE (SwiftShader)', userAgent: 'Chromium/140', cores: 2 };
  const choice: CachedChoice = {
    backend: 'wasm',
    line: 'WASM: at least 40x faster here than WebGPU on a software GPU (SwiftShader)',
    passedOver: [{ backend: 'webgpu', reason: 'over 400 ms for the test block' }],
    measuredAt: '2026-12-02T04:00:00.000Z',
  };

  it('gives back what was written, for the same device only', () => {
    const storage = new MemoryStorage();
    expect(readCachedChoice(storage, facts)).toBeNull();
    writeCachedChoice(storage, facts, choice);
    expect(readCachedChoice(storage, facts)).toEqual(choice);
    for (const other of [{ ...facts, cores: 8 }, { ...facts, userAgent: 'Chromium/141' }, { ...facts, adapter: null }, { ...facts, renderer: 'Apple M2' }]) {
      expect(readCachedChoice(storage, other)).toBeNull();
    }
  });

  it('ignores a corrupt or malformed entry', () => {
    const storage = new MemoryStorage();
    for (const raw of ['{not json', 'null', '42', '{"backend":"cuda","line":"x","passedOver":[],"measuredAt":"t"}',
      JSON.stringify({ ...choice, line: undefined }), JSON.stringify({ ...choice, passedOver: [{ backend: 'webgpu' }] })]) {
      storage.setItem(cacheKey(facts), raw);
      expect(readCachedChoice(storage, facts), raw).toBeNull();
    }
  });

  it('treats storage that refuses, or none at all, as an empty cache', () => {
    const refusing: ChoiceStorage = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(() => writeCachedChoice(refusing, facts, choice)).not.toThrow();
    expect(readCachedChoice(refusing, facts)).toBeNull();
    expect(readCachedChoice(null, facts)).toBeNull();
  });
});
