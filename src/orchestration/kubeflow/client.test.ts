import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pipeline } from '../../dsl/pipeline';
import { CsvExampleGen } from '../../components/example_gen/component';
import { startKfpTestServer, KfpTestServer } from '../../testing/kfp-test-server';
import { tempDir, writeFile } from '../../testing/fixtures';
import { compilePipeline, pipelineSpecToYaml } from './compiler';
import { KfpApiError, KfpClient } from './client';
import { KfpAuth } from './auth';

const TOKEN = 'tok-SECRET-bearer-4711';
const COOKIE = 'authservice_session=SECRET-cookie-0815';

function specYaml(parameters: Record<string, string | number | boolean> = { epochs: 2 }): string {
  const pipeline = new Pipeline({ pipelineName: 'client-test', pipelineRoot: 'gs://b/r', components: [new CsvExampleGen({ inputBase: 'data' })], parameters });
  return pipelineSpecToYaml(compilePipeline(pipeline, { image: 'img:1', projectRoot: tempDir() }));
}

async function errorOf(promise: Promise<unknown>): Promise<KfpApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof KfpApiError) return error;
    throw error;
  }
  throw new Error('expected a KfpApiError');
}

/** A one-route HTTP server standing in for proxies and dashboards in front of KFP. */
async function rawServer(handler: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
}

describe('KfpClient against the KFP test server', () => {
  let server: KfpTestServer;
  beforeEach(async () => {
    server = await startKfpTestServer({ pathPrefix: '/pipeline' });
  });
  afterEach(async () => {
    await server.close();
  });

  it('uploads a pipeline as multipart "uploadfile", then versions, experiments, a run and its status', async () => {
    const client = new KfpClient({ endpoint: `${server.url}/` });
    const pipeline = await client.uploadPipeline(specYaml(), { name: 'taxi', description: 'Taxi tips' });
    expect(pipeline).toMatchObject({ display_name: 'taxi', description: 'Taxi tips', namespace: 'kubeflow' });
    const upload = server.received[0];
    expect(upload).toMatchObject({
      method: 'POST',
      path: '/pipeline/apis/v2beta1/pipelines/upload',
      query: { name: 'taxi', description: 'Taxi tips' },
      status: 200,
    });
    expect(upload.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(upload.body).toMatchObject({ files: [{ field: 'uploadfile', filename: 'taxi.yaml', contentType: 'application/x-yaml' }] });

    expect((await client.findPipelineByName('taxi'))?.pipeline_id).toBe(pipeline.pipeline_id);
    expect(await client.findPipelineByName('other')).toBeUndefined();
    const filter = JSON.parse(server.received.at(-1)!.query.filter);
    expect(filter).toEqual({ predicates: [{ operation: 'EQUALS', key: 'display_name', string_value: 'other' }] });

    const version = await client.uploadPipelineVersion(specYaml({ epochs: 5 }), { pipelineId: pipeline.pipeline_id, name: 'taxi-v2' });
    expect(server.received.at(-1)!.query).toMatchObject({ pipelineid: pipeline.pipeline_id, name: 'taxi-v2' });
    const versions = await client.listPipelineVersions(pipeline.pipeline_id);
    expect(versions.map((v) => v.display_name)).toEqual(['taxi-v2', 'taxi']);

    const experiment = await client.getOrCreateExperiment('taxi-exp');
    expect((await client.getOrCreateExperiment('taxi-exp')).experiment_id).toBe(experiment.experiment_id);
    expect((await client.listExperiments()).map((e) => e.display_name)).toEqual(['taxi-exp']);

    const run = await client.createRun({
      displayName: 'taxi run',
      pipelineId: pipeline.pipeline_id,
      pipelineVersionId: version.pipeline_version_id,
      experimentId: experiment.experiment_id,
      parameters: { epochs: 7 },
      pipelineRoot: 'gs://b/other',
    });
    expect(server.received.at(-1)!.body).toEqual({
      display_name: 'taxi run',
      experiment_id: experiment.experiment_id,
      pipeline_version_reference: { pipeline_id: pipeline.pipeline_id, pipeline_version_id: version.pipeline_version_id },
      runtime_config: { parameters: { epochs: 7 }, pipeline_root: 'gs://b/other' },
    });
    expect(run.state).toBe('PENDING');
    server.setRunState(run.run_id, 'RUNNING', [{ name: 'CsvExampleGen', state: 'RUNNING' }]);
    const status = await client.getRun(run.run_id);
    expect(status.state).toBe('RUNNING');
    expect(status.run_details?.task_details?.map((t) => [t.display_name, t.state])).toEqual([['CsvExampleGen', 'RUNNING']]);
    expect((await client.listRuns({ experimentId: experiment.experiment_id })).map((r) => r.run_id)).toEqual([run.run_id]);
    expect(client.runUrl(run.run_id)).toBe(`${server.url}/#/runs/details/${run.run_id}`);

    expect(await client.deletePipeline(pipeline.pipeline_id)).toBe(2);
    expect(await client.listPipelines()).toEqual([]);
  });

  it('reports conflicts, unknown ids, refused specs and bad parameters clearly', async () => {
    const client = new KfpClient({ endpoint: server.url });
    const pipeline = await client.uploadPipeline(specYaml(), { name: 'taxi' });
    const conflict = await errorOf(client.uploadPipeline(specYaml(), { name: 'taxi' }));
    expect(conflict).toMatchObject({ code: 'KFP_ERROR', status: 409 });
    expect(conflict.message).toMatch(/pipeline "taxi" already exists \(409\)[\s\S]*tfx-ts pipeline update/);

    const missing = await errorOf(client.getRun('no-such-run'));
    expect(missing).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    expect(missing.message).toMatch(/KFP has no run no-such-run: .*Run no-such-run not found/);

    const invalid = await errorOf(client.uploadPipeline('pipelineInfo: {name: x}\n', { name: 'broken' }));
    // As KFP's upload handler answers: 500 with {error_message, error_details}, shown as its message.
    expect(invalid).toMatchObject({ code: 'INVALID_SPEC', status: 500 });
    expect(invalid.message).toMatch(
      /KFP refused the pipeline spec for pipeline "broken": Failed to create a pipeline and a pipeline version: .*InvalidInputError: unknown template format: pipeline spec is invalid\./,
    );
    expect(invalid.message).not.toMatch(/[{}"]error_message/);

    const badParameter = await errorOf(client.createRun({ displayName: 'r', pipelineId: pipeline.pipeline_id, parameters: { epochs: 'many' } }));
    expect(badParameter.message).toMatch(/KFP answered 400 .*parameter "epochs" must be NUMBER_INTEGER/);
    const unknownParameter = await errorOf(client.createRun({ displayName: 'r', pipelineId: pipeline.pipeline_id, parameters: { lr: 0.1 } }));
    expect(unknownParameter.message).toMatch(/parameter "lr" is not an input of the pipeline \(inputs: epochs\)/);
  });

  it('follows next_page_token: more than 100 experiments, pipelines, versions and runs', async () => {
    const client = new KfpClient({ endpoint: server.url });
    const pipeline = await client.uploadPipeline(specYaml(), { name: 'paged' });
    for (let i = 1; i <= 120; i++) await client.uploadPipelineVersion(specYaml(), { pipelineId: pipeline.pipeline_id, name: `paged-v${i}` });
    for (let i = 0; i < 104; i++) await client.uploadPipeline(specYaml(), { name: `other-${i}` });
    const oldest = await client.createExperiment('oldest');
    for (let i = 0; i < 205; i++) await client.createExperiment(`exp-${i}`);
    for (let i = 0; i < 130; i++) await client.createRun({ displayName: `run-${i}`, pipelineId: pipeline.pipeline_id, experimentId: oldest.experiment_id });
    server.received.length = 0;

    const versions = await client.listPipelineVersions(pipeline.pipeline_id);
    expect(versions).toHaveLength(121);
    expect(versions[0].display_name).toBe('paged-v120');
    expect(versions.at(-1)!.display_name).toBe('paged');
    expect(server.received.map((r) => [r.query.page_size, Boolean(r.query.page_token)])).toEqual([
      ['100', false],
      ['100', true],
    ]);
    expect(await client.listPipelines()).toHaveLength(105);
    expect((await client.listExperiments()).map((e) => e.display_name)).toHaveLength(206);
    // The oldest experiment is on the third page of a 100-item listing: found, not re-created (409).
    expect((await client.getOrCreateExperiment('oldest')).experiment_id).toBe(oldest.experiment_id);
    expect(await client.listRuns({ experimentId: oldest.experiment_id })).toHaveLength(130);
    expect((await client.findPipelineByName('paged'))?.pipeline_id).toBe(pipeline.pipeline_id);
    // A pipeline with more than 100 versions can be deleted: every version goes first.
    expect(await client.deletePipeline(pipeline.pipeline_id)).toBe(121);
    expect(server.pipelines.find((p) => p.pipeline_id === pipeline.pipeline_id)).toBeUndefined();
  }, 60_000);

  it('stores pipelines and versions under DNS-1123 names and keeps the display name; terminates and deletes runs', async () => {
    const strict = await startKfpTestServer({ kubernetesPipelineStore: true });
    try {
      const client = new KfpClient({ endpoint: strict.url });
      const pipeline = await client.uploadPipeline(specYaml(), { name: 'My_Taxi pipeline' });
      expect(pipeline).toMatchObject({ name: 'my-taxi-pipeline', display_name: 'My_Taxi pipeline' });
      const version = await client.uploadPipelineVersion(specYaml(), { pipelineId: pipeline.pipeline_id, name: 'My_Taxi pipeline-20261202-0400' });
      expect(version).toMatchObject({ name: 'my-taxi-pipeline-20261202-0400', display_name: 'My_Taxi pipeline-20261202-0400' });
      expect((await client.findPipelineByName('My_Taxi pipeline'))?.pipeline_id).toBe(pipeline.pipeline_id);
      // What an unconverted name meets on such a KFP:
      const form = new FormData();
      form.append('uploadfile', new Blob([specYaml()]), 'p.yaml');
      const raw = await fetch(`${strict.url}/apis/v2beta1/pipelines/upload?name=my_taxi`, { method: 'POST', body: form });
      expect([raw.status, (await raw.json()).error_message]).toEqual([
        500,
        expect.stringMatching(/metadata.name: Invalid value: "my_taxi": a lowercase RFC 1123 subdomain/),
      ]);

      const run = await client.createRun({ displayName: 'to stop', pipelineId: pipeline.pipeline_id });
      strict.setRunState(run.run_id, 'RUNNING', [{ name: 'CsvExampleGen', state: 'RUNNING' }]);
      await client.terminateRun(run.run_id);
      expect(await client.getRun(run.run_id)).toMatchObject({
        state: 'CANCELING',
        run_details: { task_details: [{ display_name: 'CsvExampleGen', state: 'CANCELED' }] },
      });
      await client.deleteRun(run.run_id);
      expect(await errorOf(client.getRun(run.run_id))).toMatchObject({ code: 'NOT_FOUND' });
      expect(await errorOf(client.terminateRun(run.run_id))).toMatchObject({
        code: 'NOT_FOUND',
        message: expect.stringMatching(/KFP has no run .*: Failed to terminate a run/),
      });
    } finally {
      await strict.close();
    }
  });

  it('explains a wrong path prefix (public vs in-cluster URL)', async () => {
    const origin = server.url.replace(/\/pipeline$/, '');
    const error = await errorOf(new KfpClient({ endpoint: origin }).listPipelines());
    expect(error).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    expect(error.message).toMatch(new RegExp(`No KFP API at ${origin} \\(GET /apis/v2beta1/pipelines answered 404\\)`));
    expect(error.message).toMatch(/through the Kubeflow dashboard \(public URL\) the API lives under \/pipeline[\s\S]*in the cluster .* without it/);
  });

  it('the test server is strict like the real API server', async () => {
    const api = `${server.url}/apis/v2beta1`;
    const wrongField = new FormData();
    wrongField.append('file', new Blob([specYaml()]), 'p.yaml');
    // The upload handler's errors: {error_message, error_details}, written before a content type is set.
    let response = await fetch(`${api}/pipelines/upload?name=x`, { method: 'POST', body: wrongField });
    expect([response.status, response.headers.get('content-type')]).toEqual([400, 'text/plain; charset=utf-8']);
    expect(JSON.parse(await response.text())).toEqual({
      error_message: 'Failed to read pipeline from file: http: no such file',
      error_details: 'Failed to read pipeline from file: http: no such file',
    });
    response = await fetch(`${api}/pipelines/upload?name=x`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(400);
    expect(JSON.parse(await response.text()).error_message).toMatch(/request Content-Type isn't multipart\/form-data/);
    response = await fetch(`${api}/experiments`, { method: 'POST', body: 'display_name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(response.status).toBe(415);
    response = await fetch(`${api}/experiments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(400);
    // grpc-gateway's google.rpc.Status, with the proto field names KFP's marshaler uses.
    expect(await response.json()).toEqual({ code: 3, message: expect.stringMatching(/Experiment name is empty/), details: [] });
    response = await fetch(`${api}/experiments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ display_name: 'x', owner: 'me' }),
    });
    expect([response.status, await response.json()]).toEqual([400, { code: 3, message: 'proto: unknown field "owner"', details: [] }]);
    response = await fetch(`${api}/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ display_name: 'r' }) });
    expect(response.status).toBe(400);
    response = await fetch(`${api}/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        display_name: 'r',
        runtime_config: { parameters: {}, pipelineRoot: 'gs://b' },
        pipeline_version_reference: { pipeline_id: 'p', version: '1' },
      }),
    });
    expect([response.status, (await response.json()).message]).toEqual([400, 'proto: unknown field "version" (at pipeline_version_reference)']);
    response = await fetch(`${api}/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ display_name: 'r', state: 'DONE' }),
    });
    expect([response.status, (await response.json()).message]).toEqual([
      400,
      expect.stringMatching(/^proto: invalid value for enum field: "DONE" \(one of RUNTIME_STATE_UNSPECIFIED, PENDING/),
    ]);
    response = await fetch(`${api}/pipelines/upload_version`, { method: 'POST', body: wrongField });
    expect(response.status).toBe(400);
    response = await fetch(`${api}/nothing-here`);
    expect([response.status, response.headers.get('content-type'), (await response.text()).trim()]).toEqual([
      404,
      'text/plain; charset=utf-8',
      '404 page not found',
    ]);
    const stored = await new KfpClient({ endpoint: server.url }).uploadPipeline(specYaml(), { name: 'p' });
    response = await fetch(`${api}/pipelines/${stored.pipeline_id}`, { method: 'DELETE' });
    expect(response.status).toBe(400);
    expect((await response.json()).message).toMatch(/Pipeline has 1 existing pipeline versions/);
  });

  it('requires a namespace in multi-user mode', async () => {
    const multi = await startKfpTestServer({ multiUser: true });
    try {
      const error = await errorOf(new KfpClient({ endpoint: multi.url }).listExperiments());
      expect(error.message).toMatch(/In multi-user mode, a namespace must be specified/);
      const client = new KfpClient({ endpoint: multi.url, namespace: 'team-a' });
      await client.createExperiment('e');
      expect(multi.received.at(-1)!.body).toEqual({ display_name: 'e', namespace: 'team-a' });
      expect((await client.listExperiments()).map((e) => e.namespace)).toEqual(['team-a']);
    } finally {
      await multi.close();
    }
  });
});

describe('KfpClient auth modes and errors', () => {
  let server: KfpTestServer;
  const env = { ...process.env };
  beforeEach(async () => {
    server = await startKfpTestServer({ requireAuth: { bearer: TOKEN, cookie: COOKIE, namespaces: ['team-a'] } });
  });
  afterEach(async () => {
    await server.close();
    process.env = { ...env };
  });

  it.each([
    ['bearer token option', { authMode: 'bearer' as const, token: TOKEN }, 'authorization', `Bearer ${TOKEN}`],
    ['bearer token inferred from the option', { token: TOKEN }, 'authorization', `Bearer ${TOKEN}`],
    ['cookie', { authMode: 'cookie' as const, cookie: COOKIE }, 'cookie', COOKIE],
  ])('%s', async (_what, auth, header, value) => {
    const client = new KfpClient({ endpoint: server.url, namespace: 'team-a', ...auth });
    expect(await client.listPipelines()).toEqual([]);
    expect(server.received.at(-1)!.headers[header]).toBe(value);
    expect(JSON.stringify(client)).not.toContain('SECRET');
  });

  it('bearer token from KFP_TOKEN', async () => {
    process.env.KFP_TOKEN = TOKEN;
    const client = new KfpClient({ endpoint: server.url, namespace: 'team-a' });
    expect(client.auth.mode).toBe('bearer');
    await client.listExperiments();
    expect(server.received.at(-1)!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(client.auth.describe()).toBe('a bearer token from KFP_TOKEN');
  });

  it('service-account token file, from KF_PIPELINES_SA_TOKEN_PATH and re-read on every request', async () => {
    const file = writeFile(tempDir(), 'token', `${TOKEN}\n`);
    process.env.KF_PIPELINES_SA_TOKEN_PATH = file;
    const client = new KfpClient({ endpoint: server.url, namespace: 'team-a' });
    expect(client.auth.mode).toBe('serviceAccount');
    await client.listExperiments();
    expect(server.received.at(-1)!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    fs.writeFileSync(file, 'rotated-but-wrong');
    const error = await errorOf(client.listExperiments());
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.message).toContain(`the service-account token file ${file}`);
    // An explicit tokenPath wins over the environment.
    const explicit = new KfpClient({ endpoint: server.url, namespace: 'team-a', authMode: 'serviceAccount', tokenPath: writeFile(tempDir(), 'token', TOKEN) });
    await explicit.listExperiments();
    expect(server.received.at(-1)!.status).toBe(200);
  });

  it('401 without credentials and with a wrong token names the auth mode, never the token', async () => {
    const none = await errorOf(new KfpClient({ endpoint: server.url, namespace: 'team-a' }).listPipelines());
    expect(none).toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
    expect(none.message).toMatch(/unauthenticated \(401\) with no credentials[\s\S]*needs credentials/);
    const wrong = await errorOf(new KfpClient({ endpoint: server.url, namespace: 'team-a', token: 'tok-SECRET-wrong-0000' }).listPipelines());
    expect(wrong.message).toMatch(/unauthenticated \(401\) with a bearer token given as an option[\s\S]*may have expired/);
    expect(wrong.message).not.toContain('SECRET');
    const wrongCookie = await errorOf(new KfpClient({ endpoint: server.url, namespace: 'team-a', cookie: 'authservice_session=SECRET-nope' }).listPipelines());
    expect(wrongCookie.message).toMatch(/with the session cookie authservice_session/);
    expect(wrongCookie.message).not.toContain('SECRET');
  });

  it('403 for a namespace the identity may not use', async () => {
    const error = await errorOf(new KfpClient({ endpoint: server.url, namespace: 'team-b', token: TOKEN }).listExperiments());
    expect(error).toMatchObject({ code: 'FORBIDDEN', status: 403 });
    expect(error.message).toMatch(/403 Forbidden\) with a bearer token given as an option in namespace "team-b": PermissionDenied[\s\S]*check --namespace/);
    expect(error.message).not.toContain(TOKEN);
  });

  it('refuses missing secrets and bad endpoints up front', () => {
    delete process.env.KFP_TOKEN;
    expect(() => new KfpClient({ endpoint: server.url, authMode: 'bearer' })).toThrow(/Bearer auth needs a token[\s\S]*KFP_TOKEN/);
    expect(() => new KfpClient({ endpoint: server.url, authMode: 'cookie' })).toThrow(/Cookie auth needs the session cookie/);
    expect(() => new KfpClient({ endpoint: server.url, authMode: 'cookie', cookie: 'justavalue' })).toThrow(/name=value/);
    expect(() => new KfpClient({ endpoint: server.url, authMode: 'serviceAccount', tokenPath: '/nonexistent/token' })).toThrow(
      /token file \/nonexistent\/token does not exist/,
    );
    expect(() => new KfpClient({ endpoint: server.url, authMode: 'magic' as never })).toThrow(/Unknown auth mode "magic"/);
    expect(() => new KfpClient({ endpoint: '' })).toThrow(/No KFP endpoint given/);
    expect(() => new KfpClient({ endpoint: 'localhost:8080' })).toThrow(/must use http or https/);
    expect(() => new KfpClient({ endpoint: 'not a url' })).toThrow(/is not a URL/);
    expect(() => new KfpClient({ endpoint: 'http://user:pw@host' })).toThrow(/must not contain credentials/);
  });

  it('redacts a secret the server echoes back', () => {
    const auth = KfpAuth.resolve({ cookie: COOKIE });
    expect(auth.redact(`bad cookie ${COOKIE} and SECRET-cookie-0815`)).toBe('bad cookie <redacted> and <redacted>');
    expect(JSON.stringify(auth)).toBe('{"authMode":"cookie"}');
  });
});

describe('KfpClient against what can sit in front of KFP', () => {
  it('unreachable endpoint', async () => {
    const closed = await rawServer((_req, res) => res.end());
    await closed.close();
    const error = await errorOf(new KfpClient({ endpoint: closed.url }).listPipelines());
    expect(error.code).toBe('UNREACHABLE');
    expect(error.message).toMatch(/Cannot reach the KFP API at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });

  it('a login redirect, an HTML dashboard page and a 415 from a proxy', async () => {
    const proxy = await rawServer((req, res) => {
      if (req.url!.startsWith('/login')) {
        res.writeHead(302, { location: 'https://dex.example.com/auth?state=1' }).end();
      } else if (req.url!.startsWith('/dash')) {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html>Kubeflow Central Dashboard</html>');
      } else {
        res.writeHead(415, { 'content-type': 'text/plain' }).end('unsupported');
      }
    });
    try {
      const redirect = await errorOf(new KfpClient({ endpoint: `${proxy.url}/login`, token: TOKEN }).listPipelines());
      expect(redirect.code).toBe('UNAUTHORIZED');
      expect(redirect.message).toMatch(/redirected GET \/login\/apis\/v2beta1\/pipelines to a login page \(dex\.example\.com\)/);
      const html = await errorOf(new KfpClient({ endpoint: `${proxy.url}/dash` }).listPipelines());
      expect(html.code).toBe('NOT_FOUND');
      expect(html.message).toMatch(/answered GET \/dash\/apis\/v2beta1\/pipelines with text\/html, not the KFP API's JSON[\s\S]*\/pipeline/);
      const unsupported = await errorOf(new KfpClient({ endpoint: proxy.url }).uploadPipeline('x', { name: 'p' }));
      expect(unsupported).toMatchObject({ code: 'KFP_ERROR', status: 415 });
      expect(unsupported.message).toMatch(/unsupported media type \(415\)[\s\S]*multipart\/form-data uploads/);
      for (const error of [redirect, html, unsupported]) expect(error.message).not.toContain(TOKEN);
    } finally {
      await proxy.close();
    }
  });
});
