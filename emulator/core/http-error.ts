/** An API error in DigitalOcean's shape: `{ id, message, request_id }` with the matching status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly id: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new HttpError(400, 'bad_request', message);
export const unauthorized = () => new HttpError(401, 'unauthorized', 'Unable to authenticate you.');
export const forbidden = (message = 'You are not authorized to perform this operation') =>
  new HttpError(403, 'forbidden', message);
export const notFound = () =>
  new HttpError(404, 'not_found', 'The resource you were accessing could not be found.');
export const conflict = (message: string) => new HttpError(409, 'conflict', message);
export const unprocessable = (message: string) => new HttpError(422, 'unprocessable_entity', message);
export const tooManyRequests = (retryAfterSeconds: number) =>
  new HttpError(429, 'too_many_requests', 'API Rate limit exceeded.', {
    'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))),
  });
export const serverError = (message = 'Server Error') => new HttpError(500, 'server_error', message);
