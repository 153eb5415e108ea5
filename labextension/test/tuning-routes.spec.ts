import { trainingListRoute, trialsRoute, tuningJobRoute, tuningListRoute } from '../src/tuning/routes';

describe('tuning routes', () => {
  it('list tuning jobs newest first with filters and paging', () => {
    expect(tuningListRoute()).toBe('tuning-jobs?SortBy=CreationTime&SortOrder=Descending&MaxResults=50');
    expect(tuningListRoute({ nameContains: ' tune ', status: 'InProgress', nextToken: 'a/b', maxResults: 10 })).toBe(
      'tuning-jobs?NameContains=tune&StatusEquals=InProgress&SortBy=CreationTime&SortOrder=Descending&MaxResults=10&NextToken=a%2Fb'
    );
  });

  it('sort and page the trials on the server', () => {
    expect(trialsRoute('t 1', { sortBy: 'FinalObjectiveMetricValue', sortOrder: 'Ascending', maxResults: 20, nextToken: 'x' })).toBe(
      'tuning-jobs/t%201/training-jobs?SortBy=FinalObjectiveMetricValue&SortOrder=Ascending&MaxResults=20&NextToken=x'
    );
    expect(trialsRoute('t')).toBe('tuning-jobs/t/training-jobs');
  });

  it('name a job’s sub-resources and the training jobs to copy', () => {
    expect(tuningJobRoute('t', 'stop')).toBe('tuning-jobs/t/stop');
    expect(tuningJobRoute('t', 'curves')).toBe('tuning-jobs/t/curves');
    expect(trainingListRoute('demo')).toBe('training-jobs?NameContains=demo&MaxResults=100&SortOrder=Descending');
  });
});
