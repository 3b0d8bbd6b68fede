/** Where the transmitter's endpoints are (SSF 1.0 section 7.1 lets the transmitter choose; the metadata says). */
export const SSF_METADATA_PATH = '/.well-known/ssf-configuration';
/** Public, as every well-known path is (authentication.hook.ts), and beside the metadata that points to it. */
export const SSF_JWKS_PATH = '/.well-known/ssf-jwks.json';
export const SSF_STREAMS_PATH = '/v1/ssf/streams';
export const SSF_STATUS_PATH = '/v1/ssf/status';
export const SSF_ADD_SUBJECT_PATH = '/v1/ssf/subjects/add';
export const SSF_REMOVE_SUBJECT_PATH = '/v1/ssf/subjects/remove';
export const SSF_VERIFY_PATH = '/v1/ssf/verify';
/** RFC 8936 poll endpoint of one stream: the stream's transmitter-supplied delivery.endpoint_url. */
export const SSF_POLL_PATH = '/v1/ssf/poll';
