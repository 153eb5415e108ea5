import type { IStatusReply } from '../src/status';

/** A healthy reply as in the status contract (embedded store). */
export function healthyReply(): IStatusReply {
  return {
    version: '0.1.0',
    healthy: true,
    s3: {
      endpoint_url: 'http://127.0.0.1:43121',
      embedded: true,
      region: 'us-east-1',
      default_bucket: 'mlstudio',
      healthy: true,
      message: 'reachable'
    },
    database: {
      url: 'sqlite:////root/.local/share/jupyter/mlstudio/mlstudio.db',
      healthy: true,
      revision: '0001',
      message: 'ok'
    },
    backends: [
      { name: 'local', available: true, default: true, message: '2 CPUs' }
    ]
  };
}
