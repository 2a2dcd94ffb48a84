/** An error with an HTTP status and a machine-readable code, safe to show to clients. */
export class ApiError extends Error {
  /**
   * What the server should know about this error (logged, never shown): set where
   * a check deeper than the boundary caught bad input that the boundary missed.
   */
  internal?: Record<string, unknown>;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends ApiError {
  constructor(message: string, code = 'invalid_request') {
    super(400, code, message);
  }
}

export class UnauthorizedError extends ApiError {
  constructor(message = 'A valid API key is required') {
    super(401, 'unauthorized', message, { 'WWW-Authenticate': 'Bearer' });
  }
}

export class ForbiddenError extends ApiError {
  constructor(message = 'This key may not do that') {
    super(403, 'forbidden', message);
  }
}

export class NotFoundError extends ApiError {
  constructor(message = 'Not found') {
    super(404, 'not_found', message);
  }
}

export class MethodNotAllowedError extends ApiError {
  constructor(allowed: string[]) {
    super(405, 'method_not_allowed', `Allowed methods: ${allowed.join(', ')}`, {
      Allow: allowed.join(', '),
    });
  }
}

export class ConflictError extends ApiError {
  constructor(message: string) {
    super(409, 'conflict', message);
  }
}

export class PreconditionFailedError extends ApiError {
  constructor(message = 'The entry has changed; fetch it again') {
    super(412, 'precondition_failed', message);
  }
}

export class PayloadTooLargeError extends ApiError {
  constructor(limit: string) {
    super(413, 'payload_too_large', `The body must be at most ${limit}`);
  }
}

export class UnsupportedMediaTypeError extends ApiError {
  constructor() {
    super(415, 'unsupported_media_type', 'The body must be application/json');
  }
}

export class PreconditionRequiredError extends ApiError {
  constructor() {
    super(428, 'precondition_required', 'Send If-Match with the version you are updating');
  }
}
