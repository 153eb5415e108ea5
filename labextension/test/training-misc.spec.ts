import { imageChoices, kernelImage } from '../src/training/images';
import { jobRoute, listRoute, logsRoute, metricsRoute, s3ObjectsRoute } from '../src/training/routes';
import { parseS3Uri, s3UriError } from '../src/training/s3uri';
import { timelineSteps } from '../src/training/timeline';

describe('routes', () => {
  it('builds list, job, log and metric paths', () => {
    expect(listRoute()).toBe('training-jobs?MaxResults=50&SortOrder=Descending');
    expect(listRoute({ nameContains: ' a b ', status: 'Failed', nextToken: '50', maxResults: 100 })).toBe(
      'training-jobs?NameContains=a%20b&StatusEquals=Failed&MaxResults=100&NextToken=50&SortOrder=Descending'
    );
    expect(jobRoute('job-1')).toBe('training-jobs/job-1');
    expect(jobRoute('job-1', 'stop')).toBe('training-jobs/job-1/stop');
    expect(logsRoute('j', 120)).toBe('training-jobs/j/logs?offset=120');
    expect(logsRoute('j', 0, true)).toBe('training-jobs/j/logs?offset=0&follow=1&timeout=20');
    expect(metricsRoute('j', 0)).toBe('training-jobs/j/metrics?after=0');
    expect(s3ObjectsRoute('b', 'a/b/')).toBe('s3/default/buckets/b/objects?prefix=a%2Fb%2F');
  });
});

describe('S3 URIs', () => {
  it('parses and checks them', () => {
    expect(parseS3Uri('s3://bucket/a/b/')).toEqual({ bucket: 'bucket', key: 'a/b/' });
    expect(parseS3Uri('s3://bucket')).toEqual({ bucket: 'bucket', key: '' });
    expect(parseS3Uri('http://x')).toBeNull();
    expect(s3UriError('s3://my-bucket/data/')).toBeNull();
    expect(s3UriError('')).toMatch(/Enter/);
    expect(s3UriError('bucket/x')).toMatch(/s3:\/\//);
    expect(s3UriError('s3://-bad/x')).toMatch(/bucket name/);
    expect(s3UriError('s3://ab/x')).toMatch(/bucket name/);
    expect(s3UriError('s3://Legacy_Bucket/x')).toBeNull();
  });
});

describe('framework images', () => {
  it('offers the built-ins, Python kernels and a custom current image', () => {
    const choices = imageChoices([{ name: 'py311', displayName: 'Python 3.11' }], 'my/image:1');
    expect(choices[0].image).toBe('python');
    expect(choices.map(c => c.image)).toContain(kernelImage('py311'));
    expect(choices.some(c => /sagemaker-scikit-learn/.test(c.image))).toBe(true);
    expect(choices[choices.length - 1]).toEqual({ image: 'my/image:1', label: 'my/image:1' });
    expect(imageChoices([], 'python')).toHaveLength(4);
  });
});

describe('the status timeline', () => {
  const now = Date.parse('2024-05-01T12:01:00Z');

  it('times each step and the current one up to now', () => {
    const steps = timelineSteps(
      [
        { Status: 'Starting', StartTime: '2024-05-01T12:00:00Z', EndTime: '2024-05-01T12:00:00.400Z', StatusMessage: 'Preparing' },
        { Status: 'Training', StartTime: '2024-05-01T12:00:00.400Z', StatusMessage: 'Training in progress' }
      ],
      now
    );
    expect(steps.map(s => [s.status, s.duration, s.current, s.tone])).toEqual([
      ['Starting', '400 ms', false, 'done'],
      ['Training', '59s', true, 'current']
    ]);
  });

  it('flags a job waiting for capacity', () => {
    const [step] = timelineSteps(
      [{ Status: 'Starting', StartTime: '2024-05-01T12:00:00Z', StatusMessage: 'Waiting for capacity: 2 of 2 slots busy' }],
      now
    );
    expect(step).toMatchObject({ waiting: true, tone: 'warning', current: true });
  });

  it('colours the final step by outcome', () => {
    const steps = timelineSteps(
      [
        { Status: 'Training', StartTime: '2024-05-01T12:00:00Z', EndTime: '2024-05-01T12:00:10Z' },
        { Status: 'Failed', StartTime: '2024-05-01T12:00:10Z', StatusMessage: 'boom' }
      ],
      now
    );
    expect(steps[1]).toMatchObject({ tone: 'error', current: false, duration: '' });
    expect(timelineSteps(undefined)).toEqual([]);
  });
});
