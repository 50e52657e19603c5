import { Pipeline } from './pipeline';
import { Channel } from './channel';
import { standardArtifacts } from './artifact';
import { CountChars, WriteExamples } from '../testing/test-components';

describe('Pipeline DAG', () => {
  it('orders components producers-first whatever order they are listed in', () => {
    const a = new WriteExamples({ text: 'x' });
    const b = new CountChars({ examples: a.outputs.examples });
    const pipeline = new Pipeline({ pipelineName: 'p', pipelineRoot: '/tmp/p', components: [b, a] });
    expect(pipeline.components.map((c) => c.id)).toEqual(['TestWriteExamples', 'TestCountChars']);
    expect(pipeline.metadataPath).toBe('/tmp/p/metadata.sqlite');
  });

  it('rejects a component whose producer is not in the pipeline', () => {
    const a = new WriteExamples({ text: 'x' });
    const b = new CountChars({ examples: a.outputs.examples });
    expect(() => new Pipeline({ pipelineName: 'p', pipelineRoot: '/tmp/p', components: [b] })).toThrow(
      /reads input "examples" from "TestWriteExamples", which is not in the pipeline/,
    );
  });

  it('rejects cycles', () => {
    const a = new CountChars({ examples: new Channel(standardArtifacts.Examples, undefined, 'x') });
    const b = new CountChars({ examples: new Channel(standardArtifacts.Examples, a, 'statistics') }).withId('b');
    // Wire a back to b's output: a cycle a -> b -> a.
    (a.inputs as Record<string, Channel>).examples = new Channel(standardArtifacts.Examples, b, 'statistics');
    expect(() => new Pipeline({ pipelineName: 'p', pipelineRoot: '/tmp/p', components: [a, b] })).toThrow(/cycle between: TestCountChars, b/);
  });

  it('rejects duplicate ids and names how to fix them', () => {
    const a = new WriteExamples({ text: 'x' });
    const b = new WriteExamples({ text: 'y' });
    expect(() => new Pipeline({ pipelineName: 'p', pipelineRoot: '/tmp/p', components: [a, b] })).toThrow(
      /Two components have the id "TestWriteExamples".*withId/s,
    );
  });

  it('rejects bad pipeline names and empty pipelines', () => {
    expect(() => new Pipeline({ pipelineName: 'bad name!', pipelineRoot: '/tmp/p', components: [new WriteExamples({ text: 'x' })] })).toThrow(
      /Invalid pipeline name/,
    );
    expect(() => new Pipeline({ pipelineName: 'p', pipelineRoot: '/tmp/p', components: [] })).toThrow(/at least one component/);
  });
});

describe('component construction', () => {
  it('refuses a missing required input, an unknown input and a wrongly typed channel', () => {
    expect(() => new CountChars({} as never)).toThrow(/required input "examples" \(Examples\) is missing/);
    const a = new WriteExamples({ text: 'x' });
    expect(() => new WriteExamples({ text: 'x', examples: a.outputs.examples } as never)).toThrow(/has no input named "examples"/);
    const wrong = new Channel(standardArtifacts.Schema, a, 'schema');
    expect(() => new CountChars({ examples: wrong })).toThrow(/expects Examples artifacts but was given Channel\(Schema/);
  });

  it('validates parameters at construction', () => {
    expect(() => new WriteExamples({ text: 3 } as never)).toThrow(/invalid parameters: text: Expected string, received number/);
    expect(() => new WriteExamples({ text: 'x', bogus: 1 } as never)).toThrow(/Unrecognized key/);
  });
});
