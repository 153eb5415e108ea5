import {
  checkForm,
  decodeSdkString,
  defaultFormState,
  encodeSdkString,
  serverErrorField,
  splitScriptPath,
  stateFromJob,
  type ITrainingFormState
} from '../src/training/form';
import type { IDescribeTrainingJobReply } from '../src/training/types';

const NOW = new Date(Date.UTC(2024, 4, 1, 12, 30, 45, 123));

function form(patch: Partial<ITrainingFormState> = {}): ITrainingFormState {
  return { ...defaultFormState({ program: 'train.py', sourceDir: 'train-demo' }, NOW), ...patch };
}

describe('defaults', () => {
  it('prefills a unique name from the script and the usual settings', () => {
    const state = defaultFormState({ program: 'my_train.py', sourceDir: 'a/b' }, NOW);
    expect(state.name).toBe('my-train-2024-05-01-12-30-45-123');
    expect(state).toMatchObject({
      program: 'my_train.py',
      sourceDir: 'a/b',
      image: 'python',
      instanceCount: '1',
      maxRuntime: '1h',
      outputPath: 's3://mlstudio/training-output'
    });
    expect(defaultFormState({}, NOW).name).toBe('training-2024-05-01-12-30-45-123');
  });

  it('splits a workspace path into folder and entry point', () => {
    expect(splitScriptPath('train-demo/sub/train.py')).toEqual({ program: 'train.py', sourceDir: 'train-demo/sub' });
    expect(splitScriptPath('train.py')).toEqual({ program: 'train.py', sourceDir: '' });
  });
});

describe('building the CreateTrainingJob body', () => {
  it('sends hyperparameters, channels and metrics as SageMaker expects', () => {
    const check = checkForm(
      form({
        hyperparameters: [
          { key: 'epochs', value: '10' },
          { key: ' lr ', value: '0.1' },
          { key: '', value: '' }
        ],
        channels: [
          { name: 'train', uri: ' s3://bucket/data/ ', contentType: 'text/csv' },
          { name: '', uri: '', contentType: '' }
        ],
        metrics: [{ name: 'loss', regex: 'loss=([0-9.]+)' }],
        instanceCount: '2',
        maxRuntime: '90m'
      })
    );
    expect(check.ok).toBe(true);
    if (!check.ok) {
      return;
    }
    const body = check.request;
    expect(body.TrainingJobName).toBe('train-2024-05-01-12-30-45-123');
    expect(body.HyperParameters).toEqual({
      epochs: '10',
      lr: '0.1',
      sagemaker_program: 'train.py',
      sagemaker_submit_directory: 'train-demo'
    });
    for (const value of Object.values(body.HyperParameters)) {
      expect(typeof value).toBe('string');
    }
    expect(body.InputDataConfig).toEqual([
      {
        ChannelName: 'train',
        DataSource: {
          S3DataSource: { S3Uri: 's3://bucket/data/', S3DataType: 'S3Prefix', S3DataDistributionType: 'FullyReplicated' }
        },
        ContentType: 'text/csv'
      }
    ]);
    expect(body.AlgorithmSpecification).toEqual({
      TrainingImage: 'python',
      TrainingInputMode: 'File',
      MetricDefinitions: [{ Name: 'loss', Regex: 'loss=([0-9.]+)' }]
    });
    expect(body.ResourceConfig).toEqual({ InstanceCount: 2, InstanceType: 'local', VolumeSizeInGB: 1 });
    expect(body.StoppingCondition).toEqual({ MaxRuntimeInSeconds: 5400 });
    expect(body.OutputDataConfig).toEqual({ S3OutputPath: 's3://mlstudio/training-output' });
    expect(body.Environment).toEqual({});
  });

  it('uses "." for the workspace root and JSON-encodes values the server would decode', () => {
    const root = checkForm(form({ sourceDir: '' }));
    expect(root.ok && root.request.HyperParameters.sagemaker_submit_directory).toBe('.');
    const digits = checkForm(form({ sourceDir: '2024/', program: 'train.py' }));
    expect(digits.ok && digits.request.HyperParameters.sagemaker_submit_directory).toBe('"2024"');
    expect(encodeSdkString('true')).toBe('"true"');
    expect(encodeSdkString('train.py')).toBe('train.py');
    expect(decodeSdkString('"2024"')).toBe('2024');
    expect(decodeSdkString('"train.py"')).toBe('train.py');
    expect(decodeSdkString('train.py')).toBe('train.py');
  });

  it('reports every field error at once', () => {
    const check = checkForm(
      form({
        name: '-bad name',
        program: '',
        sourceDir: '../outside',
        instanceCount: '0',
        maxRuntime: 'soon',
        outputPath: 'bucket/out',
        hyperparameters: [
          { key: 'a', value: '1' },
          { key: 'a', value: '2' },
          { key: '', value: 'x' },
          { key: 'sagemaker_program', value: 'x.py' },
          { key: 'has space', value: '1' }
        ],
        channels: [
          { name: 'train', uri: 'http://x', contentType: '' },
          { name: 'bad name', uri: 's3://ok-bucket/', contentType: '' }
        ],
        metrics: [
          { name: 'loss', regex: 'loss=[0-9.]+' },
          { name: '', regex: '(x' }
        ]
      })
    );
    expect(check.ok).toBe(false);
    if (check.ok) {
      return;
    }
    expect(Object.keys(check.errors).sort()).toEqual(
      [
        'name',
        'program',
        'source_dir',
        'instance_count',
        'max_runtime',
        'output_path',
        'hp.1.key',
        'hp.2.key',
        'hp.3.key',
        'hp.4.key',
        'channel.0.uri',
        'channel.1.name',
        'metric.0.regex',
        'metric.1.name',
        'metric.1.regex'
      ].sort()
    );
    expect(check.errors['metric.0.regex']).toMatch(/group/);
    expect(check.errors['hp.1.key']).toMatch(/already/);
  });

  it('accepts an s3 sourcedir.tar.gz as the source', () => {
    expect(checkForm(form({ sourceDir: 's3://bucket/code/sourcedir.tar.gz' })).ok).toBe(true);
    expect(checkForm(form({ sourceDir: 's3://B/x' })).ok).toBe(false);
  });

  it('rejects runtimes over 28 days and too many instances', () => {
    const check = checkForm(form({ maxRuntime: '29d', instanceCount: '65' }));
    expect(!check.ok && Object.keys(check.errors).sort()).toEqual(['instance_count', 'max_runtime']);
  });
});

describe('cloning', () => {
  const job: IDescribeTrainingJobReply = {
    TrainingJobName: 'churn-2024-05-01-12-30-45-123',
    TrainingJobArn: 'arn',
    TrainingJobStatus: 'Completed',
    CreationTime: '2024-05-01T12:30:45Z',
    AlgorithmSpecification: {
      TrainingImage: 'custom/image:1',
      TrainingInputMode: 'File',
      MetricDefinitions: [{ Name: 'acc', Regex: 'acc=([0-9.]+)' }]
    },
    HyperParameters: { sagemaker_program: '"train.py"', sagemaker_submit_directory: '"code"', depth: '4' },
    InputDataConfig: [
      {
        ChannelName: 'train',
        DataSource: { S3DataSource: { S3Uri: 's3://bucket/train/', S3DataType: 'S3Prefix', S3DataDistributionType: 'FullyReplicated' } },
        ContentType: 'text/csv'
      }
    ],
    OutputDataConfig: { S3OutputPath: 's3://bucket/out' },
    ResourceConfig: { InstanceCount: 2, InstanceType: 'ml.m5.large', VolumeSizeInGB: 30 },
    StoppingCondition: { MaxRuntimeInSeconds: 7200 },
    Environment: { A: '1' }
  };

  it('prefills every field and picks a new name', () => {
    const state = stateFromJob(job, NOW);
    expect(state.name).toBe('churn-2024-05-01-12-30-45-123');
    expect(state).toMatchObject({
      program: 'train.py',
      sourceDir: 'code',
      image: 'custom/image:1',
      hyperparameters: [{ key: 'depth', value: '4' }],
      channels: [{ name: 'train', uri: 's3://bucket/train/', contentType: 'text/csv' }],
      metrics: [{ name: 'acc', regex: 'acc=([0-9.]+)' }],
      instanceCount: '2',
      maxRuntime: '2h',
      outputPath: 's3://bucket/out',
      environment: { A: '1' },
      instanceType: 'ml.m5.large',
      volumeSizeInGB: 30
    });
    const later = stateFromJob(job, new Date(NOW.getTime() + 1000));
    expect(later.name).toBe('churn-2024-05-01-12-30-46-123');
    const check = checkForm(later);
    expect(check.ok && check.request.Environment).toEqual({ A: '1' });
    expect(check.ok && check.request.ResourceConfig.InstanceType).toBe('ml.m5.large');
  });
});

describe('server errors', () => {
  const state = form({
    hyperparameters: [{ key: 'lr', value: 'x' }],
    channels: [{ name: 'train', uri: 's3://bucket/x', contentType: '' }],
    metrics: [{ name: 'loss', regex: 'loss=(a)' }]
  });

  it.each([
    ["a training job named 'x' already exists", 'ResourceInUse', 'name'],
    ["TrainingJobName 'x' must be 1-63 letters", 'ValidationException', 'name'],
    ["entry point 'train.py' not found in 'train-demo'", '', 'program'],
    ["sagemaker_submit_directory 'x' is not a folder", '', 'source_dir'],
    ["HyperParameters['lr'] is too long", '', 'hp.0.key'],
    ["MetricDefinitions['loss'].Regex: bad escape", '', 'metric.0.regex'],
    ['channel train: S3Uri: no such bucket', '', 'channel.0.uri'],
    ["TrainingImage 'x' is neither a SageMaker framework image", '', 'image'],
    ['ResourceConfig.InstanceCount must be an integer between 1 and 4', '', 'instance_count'],
    ['StoppingCondition.MaxRuntimeInSeconds must be an integer', '', 'max_runtime'],
    ['OutputDataConfig.S3OutputPath: bad', '', 'output_path'],
    ['something else entirely', '', 'form']
  ])('%s → %s', (message, reason, field) => {
    expect(serverErrorField(message, state, reason)).toBe(field);
  });
});
