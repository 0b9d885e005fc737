// The client's error type: one class for every failure, told apart by `reason`.

/** An event source failure; see index.d.ts for the reasons. */
export class SseError extends Error {
  constructor(info = {}) {
    super(info.message);
    this.name = 'SseError';
    /** Machine-readable: 'network', 'status', 'content_type', 'no_content', … */
    this.reason = info.reason;
    /** The HTTP status, when a response arrived. */
    this.status = info.status;
    this.contentType = info.contentType;
    /** The start of the response body (at most 4 KiB), for failed responses. */
    this.body = info.body;
    /** Whether trying again may help. */
    this.retryable = Boolean(info.retryable);
    if (info.attempts !== undefined) this.attempts = info.attempts;
    if (info.limit !== undefined) this.limit = info.limit;
  }
}
