/**
 * The deploy panel's model and controller without a browser: a fake notebook tracker, session and
 * kernel (lumino signals, as JupyterLab's), a fake bridge answering like the kernel's labBridge,
 * and DeployModel without a settings registry or state DB.
 */
import { Signal } from '@lumino/signaling';

import { BridgeError } from '../bridge/client';
import type { BridgeMethod, DescribeResult } from '../protocol';
import { DeployController, parameterError, parameterField, resourceError, resourceField } from './controller';
import { DeployModel } from './model';
import { NotebookTarget, type CellRunner, type IBridge, type IKernelLike, type INotebookLike, type ISessionLike } from './target';

class FakeKernel implements IKernelLike {
  constructor(readonly language = 'typescript') {}
  get info() {
    return Promise.resolve({ language_info: { name: this.language } });
  }
  requestExecute(): never {
    throw new Error('the fake bridge answers instead');
  }
}

class FakeSession implements ISessionLike {
  session: { kernel: FakeKernel | null } | null;
  kernelDisplayName = 'TypeScript';
  kernelDisplayStatus = 'idle';
  statusChanged = new Signal<this, string>(this);
  kernelChanged = new Signal<this, unknown>(this);
  constructor(kernel: FakeKernel | null) {
    this.session = { kernel };
  }
  /** What JupyterLab does on Kernel › Restart. */
  restart(): void {
    this.statusChanged.emit('restarting');
    this.statusChanged.emit('starting');
    this.statusChanged.emit('idle');
  }
}

function notebook(path: string, kernel: FakeKernel | null = new FakeKernel()): INotebookLike & { sessionContext: FakeSession } {
  return { context: { path }, title: { label: path }, sessionContext: new FakeSession(kernel) };
}

class FakeTracker {
  currentWidget: INotebookLike | null = null;
  currentChanged = new Signal<this, unknown>(this);
  activate(nb: INotebookLike | null): void {
    this.currentWidget = nb;
    this.currentChanged.emit(nb);
  }
}

type Answer = unknown | ((options: any) => unknown);

/** Answers bridge calls per kernel, like the kernel's labBridge; records every call. */
class FakeBridges {
  calls: { kernel: IKernelLike; method: BridgeMethod; options: any }[] = [];
  answers = new Map<IKernelLike, Partial<Record<BridgeMethod, Answer>>>();
  factory = (kernel: IKernelLike): IBridge => ({
    call: async (method: BridgeMethod, options?: any) => {
      this.calls.push({ kernel, method, options });
      await Promise.resolve();
      const answer = this.answers.get(kernel)?.[method];
      const value = typeof answer === 'function' ? (answer as (o: any) => unknown)(options) : answer;
      if (value instanceof Error) {
        throw value;
      }
      if (value === undefined) {
        throw new BridgeError('KFP_ERROR', `no fake answer for ${method}`);
      }
      return value as any;
    }
  });
  set(kernel: IKernelLike, answers: Partial<Record<BridgeMethod, Answer>>): void {
    this.answers.set(kernel, { ...this.answers.get(kernel), ...answers });
  }
  count(method: BridgeMethod): number {
    return this.calls.filter(c => c.method === method).length;
  }
}

const taxi: DescribeResult = {
  pipelineName: 'taxi',
  pipelineRoot: '/tmp/root',
  components: [
    { id: 'CsvExampleGen', type: 'CsvExampleGen', inline: false },
    { id: 'Trainer', type: 'Trainer', moduleFile: 'taxi_trainer.ts', inline: false }
  ]
};
const noContext = new BridgeError('NO_INTERACTIVE_CONTEXT', 'This notebook has no InteractiveContext yet.', 'create one');

/** Let queued promises (fake bridge answers, state loads) settle. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await Promise.resolve();
  }
  await new Promise(resolve => setTimeout(resolve, 0));
}

function setup(cellRunner?: CellRunner) {
  const tracker = new FakeTracker();
  const bridges = new FakeBridges();
  const target = new NotebookTarget({ notebooks: tracker, bridgeFactory: bridges.factory, describeDelayMs: 1, cellRunner });
  const model = new DeployModel(null, null);
  const controller = new DeployController({ model, target, pollIntervalMs: 5, saveDelayMs: 1 });
  target.setActive(true);
  return { tracker, bridges, target, model, controller };
}

describe('NotebookTarget', () => {
  test('follows the active notebook and says why actions are blocked until a component ran', async () => {
    const { tracker, bridges, target } = setup();
    expect(target.status).toBe('no-notebook');
    expect(target.blockedReason).toMatch(/Open the notebook/);

    const fresh = notebook('fresh.ipynb');
    bridges.set(fresh.sessionContext.session!.kernel!, { describe: noContext });
    tracker.activate(fresh);
    await settle();
    expect(target.status).toBe('ready');
    expect(target.pipeline).toBeNull();
    expect(target.notices.map(n => n.code)).toEqual(['NO_INTERACTIVE_CONTEXT']);
    expect(target.blockedReason).toMatch(/InteractiveContext/);

    const ran = notebook('taxi.ipynb');
    bridges.set(ran.sessionContext.session!.kernel!, { describe: taxi });
    tracker.activate(ran);
    await settle();
    expect(target.pipeline?.components.map(c => c.id)).toEqual(['CsvExampleGen', 'Trainer']);
    // The other notebook's NO_INTERACTIVE_CONTEXT does not survive the switch.
    expect(target.notices).toEqual([]);
    expect(target.blockedReason).toBeNull();
  });

  test('no kernel and a non-TypeScript kernel block the actions without asking a bridge', async () => {
    const { tracker, bridges, target } = setup();
    tracker.activate(notebook('none.ipynb', null));
    await settle();
    expect(target.status).toBe('no-kernel');
    expect(target.notices[0].code).toBe('NO_KERNEL');
    tracker.activate(notebook('py.ipynb', new FakeKernel('python')));
    await settle();
    expect(target.status).toBe('wrong-kernel');
    expect(target.bridge()).toBeNull();
    expect(bridges.calls.filter(c => c.method === 'describe' && (c.kernel as FakeKernel).language === 'python')).toHaveLength(0);
  });

  test('a kernel restart forgets the old pipeline at once and reads it again when the kernel is idle', async () => {
    const { tracker, bridges, target } = setup();
    const nb = notebook('taxi.ipynb');
    const kernel = nb.sessionContext.session!.kernel!;
    bridges.set(kernel, { describe: taxi });
    tracker.activate(nb);
    await settle();
    expect(target.pipeline).not.toBeNull();
    const resets: string[] = [];
    target.reset.connect((_, reason) => resets.push(reason));

    // After the restart the kernel's InteractiveContext is empty.
    bridges.set(kernel, { describe: noContext });
    nb.sessionContext.statusChanged.emit('restarting');
    expect(target.pipeline).toBeNull();
    expect(resets).toEqual(['kernel']);
    nb.sessionContext.statusChanged.emit('starting');
    nb.sessionContext.statusChanged.emit('idle');
    await settle();
    expect(bridges.count('describe')).toBe(2);
    expect(target.pipeline).toBeNull();
    expect(target.blockedReason).toMatch(/InteractiveContext/);
  });

  test('a hidden panel describes only when shown; cells that ran trigger a new describe', async () => {
    const tracker = new FakeTracker();
    const bridges = new FakeBridges();
    const cellExecuted = new Signal<object, { notebook: { parent: unknown } }>({});
    const target = new NotebookTarget({ notebooks: tracker, bridgeFactory: bridges.factory, cellExecuted, describeDelayMs: 1 });
    const nb = notebook('taxi.ipynb');
    bridges.set(nb.sessionContext.session!.kernel!, { describe: taxi });
    tracker.activate(nb);
    await settle();
    expect(bridges.count('describe')).toBe(0);
    target.setActive(true);
    await settle();
    expect(bridges.count('describe')).toBe(1);
    cellExecuted.emit({ notebook: { parent: nb } });
    cellExecuted.emit({ notebook: { parent: {} } }); // another notebook's cell: ignored
    await new Promise(resolve => setTimeout(resolve, 20));
    await settle();
    expect(bridges.count('describe')).toBe(2);
    target.dispose();
  });
});

describe('DeployController', () => {
  async function ready() {
    const s = setup();
    const nb = notebook('taxi.ipynb');
    const kernel = nb.sessionContext.session!.kernel!;
    s.bridges.set(kernel, { describe: taxi });
    s.tracker.activate(nb);
    await settle();
    return { ...s, nb, kernel };
  }

  test('validation marks each invalid field with what to type, and nothing is sent', async () => {
    const { controller, bridges, model } = await ready();
    await model.set('authMode', 'bearer');
    controller.setResources('Trainer', { cpu: 'lots', memory: '4Gi' }, { cpu: 'lots', memory: '4Gi', gpu: 'two' });
    expect(Object.keys(controller.fieldErrors).sort()).toEqual([resourceField('Trainer', 'cpu'), resourceField('Trainer', 'gpu')].sort());
    await controller.act('run');
    expect(controller.fieldErrors.endpoint).toMatch(/URL of the Kubeflow Pipelines API/);
    expect(controller.fieldErrors.token).toMatch(/bearer token/);
    expect(controller.fieldErrors[resourceField('Trainer', 'cpu')]).toMatch(/"lots" is not a CPU quantity.*500m/);
    expect(controller.notice?.code).toBe('INVALID_FIELDS');
    expect(bridges.count('run')).toBe(0);

    // Fixing the fields clears their marks and the notice.
    controller.setResources('Trainer', { cpu: '500m', memory: '4Gi', gpu: 1 }, { cpu: '500m', memory: '4Gi', gpu: '1' });
    await model.set('endpoint', 'http://127.0.0.1:1/pipeline');
    controller.fieldEdited('endpoint');
    model.secrets.token = 't0ken';
    controller.fieldEdited('token');
    expect(controller.fieldErrors).toEqual({});
    expect(controller.notice).toBeNull();
  });

  test('resource quantities follow Kubernetes: cores or millicores, memory with units, whole GPUs', () => {
    expect(resourceError('cpu', '500m')).toBeNull();
    expect(resourceError('cpu', '0.5')).toBeNull();
    expect(resourceError('cpu', '1.5m')).toMatch(/not a CPU quantity/);
    expect(resourceError('memory', '4Gi')).toBeNull();
    expect(resourceError('memory', '4 GB')).toMatch(/not a memory quantity/);
    expect(resourceError('gpu', '1')).toBeNull();
    expect(resourceError('gpu', '1.5')).toMatch(/whole number/);
    expect(resourceError('memory', '')).toBeNull();
  });

  test('compile sends the notebook resources, shows YAML and turns compile warnings into a notice with rows marked', async () => {
    const { controller, bridges, kernel } = await ready();
    bridges.set(kernel, {
      compile: (o: any) => ({
        yaml: `# ${JSON.stringify(o.components)}\npipelineInfo:\n  name: taxi\n`,
        pipelineName: 'taxi',
        warnings: [{ componentId: 'CsvExampleGen', message: 'CsvExampleGen is left out on Kubeflow.' }]
      })
    });
    controller.setResources('Trainer', { cpu: '2', memory: '8Gi' });
    await controller.act('compile');
    expect(bridges.calls.find(c => c.method === 'compile')?.options.components).toEqual({ Trainer: { cpu: '2', memory: '8Gi' } });
    expect(controller.yaml?.text).toContain('pipelineInfo');
    expect(controller.notice).toMatchObject({ kind: 'warning', title: 'Compiled taxi' });
    expect(controller.notice?.message).toContain('left out on Kubeflow');
    expect(controller.warnings.map(w => w.componentId)).toEqual(['CsvExampleGen']);
  });

  test('an error notice is cleared by the next success, a notebook switch and a kernel restart', async () => {
    const { controller, bridges, kernel, tracker, model, nb } = await ready();
    await model.set('endpoint', 'http://127.0.0.1:9/pipeline');
    bridges.set(kernel, { upload: new BridgeError('UNREACHABLE', 'Cannot reach http://127.0.0.1:9/pipeline', 'Check the endpoint') });
    await controller.act('upload');
    expect(controller.notice).toMatchObject({ kind: 'error', code: 'UNREACHABLE' });
    // Fixed endpoint: success replaces the error.
    bridges.set(kernel, { upload: { pipelineId: 'p1', pipelineVersionId: 'v1', created: true } });
    await controller.act('upload');
    expect(controller.notice).toMatchObject({ kind: 'success', code: 'UPLOADED' });

    bridges.set(kernel, { upload: new BridgeError('UNAUTHORIZED', 'KFP answered 401') });
    await controller.act('upload');
    expect(controller.notice?.code).toBe('UNAUTHORIZED');
    nb.sessionContext.restart();
    expect(controller.notice).toBeNull();
    await settle();

    await controller.act('upload');
    expect(controller.notice?.code).toBe('UNAUTHORIZED');
    const other = notebook('other.ipynb');
    bridges.set(other.sessionContext.session!.kernel!, { describe: taxi });
    tracker.activate(other);
    expect(controller.notice).toBeNull();
  });

  test('run: the recent run is remembered, "Run started" gives way to the state KFP reports, polling stops at the end', async () => {
    const { controller, bridges, kernel, model } = await ready();
    await model.set('endpoint', 'http://127.0.0.1:9/pipeline');
    const states = ['RUNNING', 'FAILED'];
    bridges.set(kernel, {
      run: { runId: 'run-1', runUrl: 'http://127.0.0.1:9/#/runs/details/run-1', pipelineId: 'p', pipelineVersionId: 'v' },
      runStatus: () => ({ runId: 'run-1', state: states.shift() ?? 'FAILED', tasks: [{ name: 'trainer', state: 'FAILED' }], runUrl: 'http://127.0.0.1:9/#/runs/details/run-1' })
    });
    await controller.act('run');
    expect(bridges.calls.find(c => c.method === 'run')?.options.experimentName).toBe('Default');
    expect(controller.notebookState.recentRuns.map(r => r.runId)).toEqual(['run-1']);
    for (let i = 0; i < 20 && controller.trackedRun?.polling; i++) {
      await new Promise(resolve => setTimeout(resolve, 10));
    }
    expect(controller.trackedRun?.status?.state).toBe('FAILED');
    expect(controller.trackedRun?.polling).toBe(false);
    // No green "Run started" next to a red FAILED badge.
    expect(controller.notice).toBeNull();
    expect(controller.notebookState.recentRuns[0].state).toBe('FAILED');
    expect(bridges.count('runStatus')).toBe(2);
  });

  test('a new experiment must be named before Run, and becomes the default after', async () => {
    const { controller, bridges, kernel, model } = await ready();
    await model.set('endpoint', 'http://127.0.0.1:9/pipeline');
    bridges.set(kernel, {
      run: { runId: 'run-2', runUrl: '', pipelineId: 'p', pipelineVersionId: 'v' },
      runStatus: { runId: 'run-2', state: 'SUCCEEDED', tasks: [], runUrl: '' }
    });
    controller.newExperiment('');
    await controller.act('run');
    expect(controller.fieldErrors.experiment).toMatch(/Name the new experiment/);
    controller.setNewExperimentName('taxi-nightly');
    await controller.act('run');
    expect(bridges.calls.find(c => c.method === 'run')?.options.experimentName).toBe('taxi-nightly');
    expect(model.values.experimentName).toBe('taxi-nightly');
    expect(controller.isNewExperiment).toBe(false);
  });

  test('per-notebook state (pipeline name, resources, runs) is saved and loaded per notebook', async () => {
    const saved = new Map<string, unknown>();
    const state = {
      fetch: async (key: string) => saved.get(key),
      save: async (key: string, value: unknown) => void saved.set(key, JSON.parse(JSON.stringify(value)))
    };
    const tracker = new FakeTracker();
    const bridges = new FakeBridges();
    const target = new NotebookTarget({ notebooks: tracker, bridgeFactory: bridges.factory });
    const model = new DeployModel(null, state as any);
    const controller = new DeployController({ model, target, saveDelayMs: 1 });
    const a = notebook('a.ipynb');
    tracker.activate(a);
    await controller.stateLoaded;
    controller.setPipelineName('taxi-a');
    controller.setResources('Trainer', { memory: '4Gi' });
    tracker.activate(notebook('b.ipynb'));
    await controller.stateLoaded;
    expect(controller.notebookState.pipelineName).toBe('');
    tracker.activate(a);
    await controller.stateLoaded;
    expect(controller.notebookState).toMatchObject({ pipelineName: 'taxi-a', components: { Trainer: { memory: '4Gi' } } });
    controller.dispose();
    target.dispose();
  });
});

describe('run parameters', () => {
  const withSteps: DescribeResult = {
    ...taxi,
    parameters: [
      { name: 'train_steps', type: 'int', default: 20, description: 'Trainer steps', usedBy: ['Trainer.trainArgs.numSteps'] },
      { name: 'learning_rate', type: 'float', default: 0.1, usedBy: ['Trainer.customConfig.learningRate'] },
      { name: 'tag', type: 'string', default: 'nightly', usedBy: ['Pusher.tag'] }
    ]
  };

  test('fields come from describe with type and default; a wrong type is marked on the field with the fix, and Run is refused', async () => {
    const { tracker, bridges, controller, model } = setup();
    const nb = notebook('taxi.ipynb');
    const kernel = nb.sessionContext.session!.kernel!;
    bridges.set(kernel, { describe: withSteps, run: { runId: 'r-1', runUrl: 'http://kfp/#/runs/details/r-1', pipelineId: 'p', pipelineVersionId: 'v' } });
    tracker.activate(nb);
    await settle();
    expect(controller.parameters.map(p => [p.info.name, p.info.type, p.info.default, p.value])).toEqual([
      ['train_steps', 'int', 20, ''],
      ['learning_rate', 'float', 0.1, ''],
      ['tag', 'string', 'nightly', '']
    ]);

    controller.setParameter('train_steps', 'lots');
    expect(controller.fieldErrors[parameterField('train_steps')]).toBe(
      '"lots" is not an integer (train_steps is int): type e.g. 100, or clear the field for the default 20.'
    );
    controller.setParameter('learning_rate', '1e-3');
    expect(controller.fieldErrors[parameterField('learning_rate')]).toBeUndefined();
    await model.set('endpoint', 'http://kfp');
    await controller.act('run');
    expect(bridges.count('run')).toBe(0);
    expect(controller.notice).toMatchObject({ code: 'INVALID_FIELDS', title: 'Fix the marked field', message: expect.stringMatching(/"lots" is not an integer/) });

    // Fixed: the mark and the notice go at once, and Run sends the values as their types.
    controller.setParameter('train_steps', ' 7 ');
    expect(controller.fieldErrors).toEqual({});
    expect(controller.notice).toBeNull();
    await controller.act('run');
    const sent = bridges.calls.find(c => c.method === 'run')!.options;
    expect(sent.parameters).toEqual({ train_steps: 7, learning_rate: 0.001 });
    expect(sent.experimentName).toBe('Default');
  });

  test('values are remembered per notebook; a saved value that no longer fits is marked when the pipeline is read', async () => {
    const { tracker, bridges, controller } = setup();
    const a = notebook('a.ipynb');
    const b = notebook('b.ipynb');
    bridges.set(a.sessionContext.session!.kernel!, { describe: withSteps });
    bridges.set(b.sessionContext.session!.kernel!, { describe: taxi });
    tracker.activate(a);
    await settle();
    controller.setParameter('tag', 'release');
    controller.setParameter('train_steps', '2.5');
    expect(Object.keys(controller.fieldErrors)).toEqual([parameterField('train_steps')]);
    tracker.activate(b);
    await settle();
    // Another notebook: no parameters, no stale marks.
    expect(controller.parameters).toEqual([]);
    expect(controller.fieldErrors).toEqual({});
    expect(controller.deployOptions().parameters).toBeUndefined();
  });

  test('parameterError speaks for each type', () => {
    expect(parameterError({ name: 'on', type: 'bool', default: false }, 'yes')).toMatch(/"yes" is not true or false .* type e\.g\. true/);
    expect(parameterError({ name: 'x', type: 'float', default: 1 }, 'NaN')).toMatch(/is not a number/);
    expect(parameterError({ name: 'x', type: 'int', default: 1 }, '')).toBeNull();
    expect(parameterError({ name: 's', type: 'string', default: 'a' }, ' spaced ')).toBeNull();
  });
});

describe('Open in notebook', () => {
  const finished = { runId: 'run-9', runUrl: 'http://kfp/#/runs/details/run-9', pipelineName: 'taxi', experimentName: 'Default', endpoint: 'http://kfp', state: 'SUCCEEDED', createdAt: '2026-01-01T00:00:00Z' };
  const opened = {
    runId: 'run-9',
    displayName: 'taxi run',
    state: 'SUCCEEDED',
    outputs: [
      { task: 'statistics-gen', output: 'statistics', type: 'ExampleStatistics' },
      { task: 'evaluator', output: 'evaluation', type: 'ModelEvaluation' }
    ],
    skippedTasks: [],
    fromCache: false,
    files: 4,
    bytes: 1000,
    cellCode: 'await require("tfx-ts").openRun("run-9", { endpoint: "http://kfp" })'
  };

  test('asks the kernel to download the run with the session secret, then runs the secret-free cell in the notebook', async () => {
    const cells: { path: string; code: string }[] = [];
    const { tracker, bridges, controller, model } = setup(async (nb, code) => void cells.push({ path: nb.context.path, code }));
    const nb = notebook('taxi.ipynb');
    bridges.set(nb.sessionContext.session!.kernel!, { describe: taxi, openRun: opened });
    tracker.activate(nb);
    await settle();
    await model.set('endpoint', 'http://kfp');
    await model.set('authMode', 'bearer');
    model.secrets.token = 'SECRET';
    const states: (boolean | undefined)[] = [];
    controller.changed.connect((_, kind) => kind === 'open' && states.push(controller.openRunState?.busy));
    await controller.openInNotebook(finished);
    expect(states).toEqual([true, false]);
    expect(bridges.calls.find(c => c.method === 'openRun')!.options).toEqual({ endpoint: 'http://kfp', authMode: 'bearer', token: 'SECRET', runId: 'run-9' });
    expect(cells).toEqual([{ path: 'taxi.ipynb', code: opened.cellCode }]);
    expect(controller.openRunState).toMatchObject({
      runId: 'run-9',
      busy: false,
      notice: { kind: 'success', code: 'RUN_OPENED', message: '2 views (statistics, evaluation) in a new cell below the active one.' }
    });
  });

  test("the kernel's errors are shown with the run; a run on another endpoint is refused before any call; a notebook switch clears it", async () => {
    const cells: string[] = [];
    const { tracker, bridges, controller, model } = setup(async (_, code) => void cells.push(code));
    const nb = notebook('taxi.ipynb');
    bridges.set(nb.sessionContext.session!.kernel!, {
      describe: taxi,
      openRun: new BridgeError('ARTIFACT_MISSING', 'Run run-9 finished, but an output is missing from the object store.', 'check the pipeline root')
    });
    tracker.activate(nb);
    await settle();
    await model.set('endpoint', 'http://other-kfp');
    await controller.openInNotebook(finished);
    expect(bridges.count('openRun')).toBe(0);
    expect(controller.openRunState?.notice).toMatchObject({ code: 'OTHER_ENDPOINT', message: expect.stringMatching(/It ran on http:\/\/kfp; the panel is connected to http:\/\/other-kfp/) });

    await model.set('endpoint', 'http://kfp');
    await controller.openInNotebook(finished);
    expect(controller.openRunState?.notice).toMatchObject({ kind: 'error', code: 'ARTIFACT_MISSING', hint: 'check the pipeline root' });
    expect(cells).toEqual([]);

    tracker.activate(notebook('other.ipynb'));
    await settle();
    expect(controller.openRunState).toBeNull();
  });
});
