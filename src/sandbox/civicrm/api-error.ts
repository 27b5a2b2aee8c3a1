/** An APIv4 exception: becomes the JSON error envelope (500 unless an authorization failure). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number = 500,
    readonly debug?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A PHP fatal error (TypeError etc.): the real server answers with a text/html error page. */
export class FatalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FatalError';
  }
}

export const invalidField = (name: string): ApiError => new ApiError(`Invalid field '${name}'`);
export const dbAlreadyExists = (debug?: Record<string, unknown>): ApiError =>
  new ApiError('DB Error: already exists', 500, debug);
export const dbConstraint = (): ApiError => new ApiError('DB Error: constraint violation');
