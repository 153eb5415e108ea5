import {
  checkEndpointForm,
  defaultEndpointState,
  endpointConfigRequest,
  endpointRequest,
  parseWeight,
  wholeNumber,
  type IEndpointFormState
} from '../src/endpoints/form';
import {
  checkSource,
  emptySource,
  modelDataUrlError,
  modelFromS3,
  modelFromTrainingJob,
  newModelName,
  resourcesToDelete
} from '../src/endpoints/models';
import type { IDescribeEndpointReply } from '../src/endpoints/types';
import { jobNameError } from '../src/training/names';
import type { IDescribeTrainingJobReply } from '../src/training/types';

const now = new Date(Date.UTC(2024, 4, 1, 12, 30, 45, 123));
const TS = '2024-05-01-12-30-45-123';

function state(overrides: Partial<IEndpointFormState> = {}): IEndpointFormState {
  const base = defaultEndpointState('train-job', now);
  return { ...base, name: 'churn', ...overrides };
}

function trainingJob(overrides: Partial<IDescribeTrainingJobReply> = {}): IDescribeTrainingJobReply {
  return {
    TrainingJobName: 'train-job',
    TrainingJobArn: 'arn',
    TrainingJobStatus: 'Completed',
    CreationTime: null,
    AlgorithmSpecification: { TrainingImage: 'sagemaker-scikit-learn:1.2-1-cpu-py3' },
    HyperParameters: {
      sagemaker_program: '"src/train.py"',
      sagemaker_submit_directory: '"s3://bucket/code/sourcedir.tar.gz"',
      epochs: '3'
    },
    ModelArtifacts: { S3ModelArtifacts: 's3://bucket/out/train-job/output/model.tar.gz' },
    ...overrides
  };
}

describe('endpoint names', () => {
  it.each([
    ['my-endpoint', null],
    ['', /Enter an endpoint name/],
    ['-a', /start and end/],
    ['a_b', /letters, digits and hyphens/i],
    ['e'.repeat(64), /63/]
  ])('%p', (name, error) => {
    const result = jobNameError(name, 'an endpoint name');
    if (error === null) {
      expect(result).toBeNull();
    } else {
      expect(result).toMatch(error);
    }
  });

  it('keeps the training wording by default', () => {
    expect(jobNameError('')).toBe('Enter a job name.');
  });

  it('derives resource names that stay valid, distinct and short enough', () => {
    expect(newModelName('churn', 'model-a', now)).toBe(`churn-model-a-${TS}`);
    expect(newModelName(`churn-2023-01-01-00-00-00-000`, 'config', now)).toBe(`churn-config-${TS}`);
    const long = 'x'.repeat(63);
    const a = newModelName(long, 'model-a', now);
    const b = newModelName(long, 'model-b', now);
    expect(a).toHaveLength(63);
    expect(a).not.toBe(b);
    expect(jobNameError(a)).toBeNull();
  });
});

describe('numbers of the forms', () => {
  it('reads whole numbers in a range', () => {
    expect(wholeNumber(' 3 ', 1, 8)).toBe(3);
    expect(wholeNumber('0', 1, 8)).toBeNull();
    expect(wholeNumber('9', 1, 8)).toBeNull();
    expect(wholeNumber('1.5', 1, 8)).toBeNull();
    expect(wholeNumber('', 0, 8)).toBeNull();
  });

  it('reads weights', () => {
    expect(parseWeight('0')).toBe(0);
    expect(parseWeight('0.25')).toBe(0.25);
    expect(parseWeight('.5')).toBe(0.5);
    expect(parseWeight('-1')).toBeNull();
    expect(parseWeight('1e3')).toBeNull();
    expect(parseWeight('2000000')).toBeNull();
  });
});

describe('model sources', () => {
  it('checks each kind', () => {
    const errors: Record<string, string> = {};
    expect(checkSource(emptySource('training'), 'a', errors)).toBeNull();
    expect(errors['a.training_job']).toMatch(/Choose/);
    expect(checkSource({ ...emptySource('s3'), modelDataUrl: 's3://bucket/model.zip' }, 'b', errors)).toBeNull();
    expect(errors['b.model_data_url']).toMatch(/model.tar.gz/);
    expect(checkSource({ ...emptySource('model'), model: 'bad_name' }, 'c', errors)).toBeNull();
    expect(errors['c.model']).toMatch(/model name|letters/i);
    expect(checkSource({ ...emptySource('s3'), modelDataUrl: ' s3://bkt/x/model.tar.gz ', image: 'python' }, 'd', {})).toEqual({
      kind: 's3',
      modelDataUrl: 's3://bkt/x/model.tar.gz',
      image: 'python'
    });
  });

  it('requires a model.tar.gz in a valid S3 location', () => {
    expect(modelDataUrlError('s3://bucket/out/model.tar.gz')).toBeNull();
    expect(modelDataUrlError('')).toMatch(/model.tar.gz/);
    expect(modelDataUrlError('https://x/model.tar.gz')).toMatch(/s3:\/\//);
    expect(modelDataUrlError('s3://bucket/out/')).toMatch(/model.tar.gz archive/);
  });

  it('builds a training job model as Estimator.create_model does', () => {
    expect(modelFromTrainingJob('m', trainingJob())).toEqual({
      ModelName: 'm',
      PrimaryContainer: {
        ModelDataUrl: 's3://bucket/out/train-job/output/model.tar.gz',
        Image: 'sagemaker-scikit-learn:1.2-1-cpu-py3',
        Environment: {
          SAGEMAKER_PROGRAM: 'train.py',
          SAGEMAKER_SUBMIT_DIRECTORY: 's3://bucket/code/sourcedir.tar.gz'
        }
      }
    });
  });

  it('serves only the archive when the source was a workspace folder', () => {
    const job = trainingJob({
      HyperParameters: { sagemaker_program: 'train.py', sagemaker_submit_directory: '"examples/iris"' },
      AlgorithmSpecification: {}
    });
    expect(modelFromTrainingJob('m', job)).toEqual({
      ModelName: 'm',
      PrimaryContainer: { ModelDataUrl: 's3://bucket/out/train-job/output/model.tar.gz', Environment: {} }
    });
  });

  it('refuses a job without model artifacts', () => {
    expect(() => modelFromTrainingJob('m', trainingJob({ ModelArtifacts: undefined }))).toThrow(/no model artifacts/);
  });

  it('builds an S3 model with or without an image', () => {
    expect(modelFromS3('m', 's3://b/model.tar.gz')).toEqual({ ModelName: 'm', PrimaryContainer: { ModelDataUrl: 's3://b/model.tar.gz' } });
    expect(modelFromS3('m', 's3://b/model.tar.gz', 'xgb').PrimaryContainer.Image).toBe('xgb');
  });
});

describe('the new endpoint form', () => {
  it('starts from a preselected training job', () => {
    const s = defaultEndpointState('train-job-2024-01-01-00-00-00-000', now);
    expect(s.name).toBe(`train-job-${TS}`);
    expect(s.a.source).toMatchObject({ kind: 'training', trainingJob: 'train-job-2024-01-01-00-00-00-000' });
    expect(s.abTest).toBe(false);
  });

  it('plans a single-variant endpoint', () => {
    const check = checkEndpointForm(state({ a: { source: { ...emptySource('training'), trainingJob: 'train-job' }, instanceCount: '2', weight: 'x' } }), now);
    expect(check.ok).toBe(true);
    if (!check.ok) {
      return;
    }
    expect(check.plan).toEqual({
      endpointName: 'churn',
      configName: `churn-config-${TS}`,
      variants: [
        {
          variantName: 'AllTraffic',
          source: { kind: 'training', trainingJob: 'train-job' },
          modelName: `churn-model-${TS}`,
          createModel: true,
          instanceCount: 2,
          weight: 1
        }
      ]
    });
    expect(endpointConfigRequest(check.plan)).toEqual({
      EndpointConfigName: `churn-config-${TS}`,
      ProductionVariants: [
        { VariantName: 'AllTraffic', ModelName: `churn-model-${TS}`, InitialInstanceCount: 2, InitialVariantWeight: 1 }
      ]
    });
    expect(endpointRequest(check.plan)).toEqual({ EndpointName: 'churn', EndpointConfigName: `churn-config-${TS}` });
  });

  it('plans an A/B endpoint with weights and an existing model', () => {
    const check = checkEndpointForm(
      state({
        a: { source: { ...emptySource('training'), trainingJob: 'train-job' }, instanceCount: '1', weight: '3' },
        abTest: true,
        b: { source: { ...emptySource('model'), model: 'old-model' }, instanceCount: '2', weight: '1' }
      }),
      now
    );
    expect(check.ok).toBe(true);
    if (!check.ok) {
      return;
    }
    expect(check.plan.variants.map(v => [v.variantName, v.modelName, v.createModel, v.instanceCount, v.weight])).toEqual([
      ['variant-a', `churn-model-a-${TS}`, true, 1, 3],
      ['variant-b', 'old-model', false, 2, 1]
    ]);
  });

  it('creates one model when both variants come from the same source', () => {
    const source = { ...emptySource('s3'), modelDataUrl: 's3://bucket/model.tar.gz' };
    const check = checkEndpointForm(
      state({ a: { source, instanceCount: '1', weight: '1' }, abTest: true, b: { source, instanceCount: '1', weight: '1' } }),
      now
    );
    expect(check.ok && check.plan.variants.map(v => [v.modelName, v.createModel])).toEqual([
      [`churn-model-a-${TS}`, true],
      [`churn-model-a-${TS}`, false]
    ]);
  });

  it('reports every field error', () => {
    const check = checkEndpointForm(
      state({
        name: 'bad name',
        a: { source: emptySource('training'), instanceCount: '0', weight: '1' },
        abTest: true,
        b: { source: emptySource('s3'), instanceCount: '1', weight: '-2' }
      }),
      now
    );
    expect(check.ok).toBe(false);
    expect(!check.ok && Object.keys(check.errors).sort()).toEqual([
      'a.instance_count',
      'a.training_job',
      'b.model_data_url',
      'b.weight',
      'name'
    ]);
  });

  it('needs a weight above 0 on some variant', () => {
    const source = { ...emptySource('model'), model: 'm' };
    const check = checkEndpointForm(
      state({ a: { source, instanceCount: '1', weight: '0' }, abTest: true, b: { source, instanceCount: '1', weight: '0' } }),
      now
    );
    expect(!check.ok && check.errors['a.weight']).toMatch(/above 0/);
  });

  it('ignores variant B while the A/B test is off', () => {
    const check = checkEndpointForm(
      state({ a: { source: { ...emptySource('model'), model: 'm' }, instanceCount: '1', weight: '1' }, b: { source: emptySource('s3'), instanceCount: 'x', weight: 'x' } }),
      now
    );
    expect(check.ok).toBe(true);
  });
});

describe('deleting an endpoint with its resources', () => {
  const endpoint = (name: string, config: string, models: string[]): IDescribeEndpointReply => ({
    EndpointName: name,
    EndpointStatus: 'InService',
    EndpointConfigName: config,
    CreationTime: null,
    LastModifiedTime: null,
    RuntimeUrl: null,
    ProductionVariants: models.map((m, i) => ({
      VariantName: `v${i}`,
      ModelName: m,
      CurrentWeight: 1,
      DesiredWeight: 1,
      CurrentInstanceCount: 1,
      DesiredInstanceCount: 1
    }))
  });

  it('keeps what other endpoints use', () => {
    const target = endpoint('a', 'cfg-a', ['m1', 'm2', 'm1']);
    expect(resourcesToDelete(target, [target])).toEqual({ config: 'cfg-a', models: ['m1', 'm2'] });
    expect(resourcesToDelete(target, [target, endpoint('b', 'cfg-a', ['m2'])])).toEqual({ config: null, models: ['m1'] });
  });
});
