import type { ResourceSpec } from '../../dsl/component';
import { UserError } from '../../util/errors';
import { CPU_PATTERN, MEMORY_PATTERN } from '../../protocol/bridge';

/**
 * Per-task resources in the IR's `deploymentSpec.executors.<exec>.container.resources`. The KFP SDK
 * writes both the legacy numeric fields (cores; memory in GB, 10^9 bytes) and the string fields the
 * backend reads today (resourceCpuLimit: '4', resourceMemoryLimit: 14Gi); we write both, as it does.
 */
export interface IrResources {
  cpuLimit?: number;
  cpuRequest?: number;
  memoryLimit?: number;
  memoryRequest?: number;
  resourceCpuLimit?: string;
  resourceCpuRequest?: string;
  resourceMemoryLimit?: string;
  resourceMemoryRequest?: string;
  accelerator?: { count: string; resourceCount: string; type: string; resourceType: string };
}

const MEMORY_UNITS: Record<string, number> = {
  '': 1,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

export function cpuCores(value: string, what: string): number {
  if (!CPU_PATTERN.test(value)) {
    throw new UserError(`${what}: CPU "${value}" is not a Kubernetes CPU quantity.`, 'use cores such as "2" or "0.5", or millicores such as "500m".');
  }
  return value.endsWith('m') ? Number(value.slice(0, -1)) / 1000 : Number(value);
}

export function memoryGigabytes(value: string, what: string): number {
  const match = MEMORY_PATTERN.exec(value);
  if (!match) {
    throw new UserError(`${what}: memory "${value}" is not a Kubernetes memory quantity.`, 'use e.g. "4Gi", "512Mi" or "8G".');
  }
  const unit = match[2] ?? '';
  const number = Number(value.slice(0, value.length - unit.length));
  // Rounded like Python's float repr of the SDK's division, so 14Gi reads 15.032385536.
  return Number(((number * MEMORY_UNITS[unit]) / 1e9).toPrecision(15));
}

/** ResourceSpec (withResources / the panel's per-step settings) → IR resources; undefined when empty. */
export function toIrResources(resources: ResourceSpec | undefined, what: string): IrResources | undefined {
  if (!resources) return undefined;
  const ir: IrResources = {};
  if (resources.cpuLimit !== undefined) {
    ir.cpuLimit = cpuCores(String(resources.cpuLimit), what);
    ir.resourceCpuLimit = String(resources.cpuLimit);
  }
  if (resources.cpuRequest !== undefined) {
    ir.cpuRequest = cpuCores(String(resources.cpuRequest), what);
    ir.resourceCpuRequest = String(resources.cpuRequest);
  }
  if (resources.memoryLimit !== undefined) {
    ir.memoryLimit = memoryGigabytes(String(resources.memoryLimit), what);
    ir.resourceMemoryLimit = String(resources.memoryLimit);
  }
  if (resources.memoryRequest !== undefined) {
    ir.memoryRequest = memoryGigabytes(String(resources.memoryRequest), what);
    ir.resourceMemoryRequest = String(resources.memoryRequest);
  }
  if (ir.cpuLimit !== undefined && ir.cpuRequest !== undefined && ir.cpuRequest > ir.cpuLimit) {
    throw new UserError(
      `${what}: CPU request ${resources.cpuRequest} exceeds the limit ${resources.cpuLimit}.`,
      'Kubernetes refuses a request above its limit; raise the limit or lower the request.',
    );
  }
  if (ir.memoryLimit !== undefined && ir.memoryRequest !== undefined && ir.memoryRequest > ir.memoryLimit) {
    throw new UserError(
      `${what}: memory request ${resources.memoryRequest} exceeds the limit ${resources.memoryLimit}.`,
      'Kubernetes refuses a request above its limit; raise the limit or lower the request.',
    );
  }
  if (resources.accelerator) {
    const { type, count } = resources.accelerator;
    if (!Number.isInteger(count) || count < 1) {
      throw new UserError(
        `${what}: accelerator count ${count} is not a positive integer.`,
        'ask for whole accelerators, e.g. { type: "nvidia.com/gpu", count: 1 }.',
      );
    }
    if (typeof type !== 'string' || !type.trim()) {
      throw new UserError(`${what}: accelerator type is empty.`, 'name the resource, e.g. "nvidia.com/gpu" or a TPU type such as "tpu-v3".');
    }
    ir.accelerator = { count: String(count), resourceCount: String(count), type, resourceType: type };
  }
  return Object.keys(ir).length ? ir : undefined;
}

/** The panel's / deploy()'s short form { cpu, memory, gpu } → ResourceSpec (requests = limits, as set_cpu_limit users expect). */
export function resourcesFromShortForm(short: { cpu?: string; memory?: string; gpu?: number }): ResourceSpec {
  const spec: ResourceSpec = {};
  if (short.cpu) {
    spec.cpuRequest = short.cpu;
    spec.cpuLimit = short.cpu;
  }
  if (short.memory) {
    spec.memoryRequest = short.memory;
    spec.memoryLimit = short.memory;
  }
  if (short.gpu) spec.accelerator = { type: 'nvidia.com/gpu', count: short.gpu };
  return spec;
}
