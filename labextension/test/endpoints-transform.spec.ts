import { emptySource } from '../src/endpoints/models';
import { checkTransformForm, defaultOutput, defaultTransformState, progressInfo } from '../src/endpoints/transform';

const now = new Date(Date.UTC(2024, 4, 1, 12, 30, 45, 123));
const TS = '2024-05-01-12-30-45-123';

describe('the new batch transform form', () => {
  it('starts with CSV lines in and out', () => {
    const s = defaultTransformState('', now);
    expect(s.name).toBe(`transform-${TS}`);
    expect(s.source.kind).toBe('model');
    expect(s.outputPath).toBe(`s3://mlstudio/transform-output/transform-${TS}`);
    expect([s.contentType, s.splitType, s.batchStrategy, s.accept, s.assembleWith, s.joinSource]).toEqual([
      'text/csv',
      'Line',
      'MultiRecord',
      'text/csv',
      'Line',
      'None'
    ]);
    const fromJob = defaultTransformState('iris-2023-01-01-00-00-00-000', now);
    expect(fromJob.name).toBe(`iris-transform-${TS}`);
    expect(fromJob.source).toMatchObject({ kind: 'training', trainingJob: 'iris-2023-01-01-00-00-00-000' });
    expect(defaultOutput(' job ')).toBe('s3://mlstudio/transform-output/job');
  });

  it('builds the CreateTransformJob body', () => {
    const state = {
      ...defaultTransformState('', now),
      name: 'score',
      source: { ...emptySource('model'), model: 'iris-model' },
      inputUri: ' s3://data/batch/ ',
      outputPath: 's3://data/out/',
      joinSource: 'Input' as const,
      instanceCount: '2',
      maxConcurrent: '4',
      maxPayloadMB: '1'
    };
    const check = checkTransformForm(state, 'unused');
    expect(check).toEqual({
      ok: true,
      plan: {
        source: { kind: 'model', model: 'iris-model' },
        request: {
          TransformJobName: 'score',
          ModelName: 'iris-model',
          BatchStrategy: 'MultiRecord',
          MaxPayloadInMB: 1,
          MaxConcurrentTransforms: 4,
          TransformInput: {
            DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://data/batch/' } },
            ContentType: 'text/csv',
            SplitType: 'Line',
            CompressionType: 'None'
          },
          TransformOutput: { S3OutputPath: 's3://data/out/', Accept: 'text/csv', AssembleWith: 'Line' },
          TransformResources: { InstanceCount: 2 },
          DataProcessing: { JoinSource: 'Input' }
        }
      }
    });
  });

  it('names the model to create for a training job source', () => {
    const state = { ...defaultTransformState('iris', now), inputUri: 's3://data/in/' };
    const check = checkTransformForm(state, 'iris-model-x');
    expect(check.ok && check.plan.source).toEqual({ kind: 'training', trainingJob: 'iris' });
    expect(check.ok && check.plan.request.ModelName).toBe('iris-model-x');
  });

  it('reports every field error', () => {
    const state = {
      ...defaultTransformState('', now),
      name: '',
      inputUri: 'data/in',
      outputPath: '',
      splitType: 'None' as const,
      joinSource: 'Input' as const,
      instanceCount: '0',
      maxConcurrent: 'many',
      maxPayloadMB: '101'
    };
    const check = checkTransformForm(state, 'm');
    expect(!check.ok && Object.keys(check.errors).sort()).toEqual([
      'input_uri',
      'instance_count',
      'join_source',
      'max_concurrent',
      'max_payload',
      'name',
      'output_path',
      'source.model'
    ]);
  });
});

describe('transform progress', () => {
  it('counts files and records', () => {
    expect(progressInfo({ files_total: 4, files_done: 1, records_done: 1200 }, 'InProgress')).toEqual({
      percent: 25,
      text: '1/4 files · 1,200 records'
    });
    expect(progressInfo({ files_total: 1, files_done: 1, records_done: 1 }, 'InProgress').text).toBe('1/1 file · 1 record');
  });

  it('is unknown before the files are listed, full once completed', () => {
    expect(progressInfo({}, 'InProgress')).toEqual({ percent: null, text: 'Starting…' });
    expect(progressInfo(undefined, 'Failed')).toEqual({ percent: null, text: '' });
    expect(progressInfo({ files_total: 0 }, 'Completed').percent).toBe(100);
    expect(progressInfo({ files_total: 3, files_done: 5 }, 'InProgress').percent).toBe(100);
  });
});
