export { type ApiCallEntry, ApiCallLog, type ApiCallSummary, isMutating } from './call-log.js';
export {
  createDoClient,
  createHttps,
  type DigitalOceanClient,
  type DoApi,
  type DoClientOptions,
  type HttpsClient,
  type HttpsOptions,
} from './client.js';
export {
  type CreateOnceOptions,
  type CreateOnceResult,
  createOnce,
  isUnclearFailure,
} from './create-once.js';
export {
  ApiError,
  type ApiErrorContext,
  type ApiErrorDetails,
  isDotsError,
  isNotFound,
  TransportError,
  toApiError,
  toToolError,
} from './errors.js';
export { type ListAllOptions, listAll, nextPageLink, type Page } from './paginate.js';
export { BudgetExhausted, RateBudget, type RateBudgetOptions, type RateTicket } from './rate-budget.js';
export { budgetKey, type SharedBudgetOptions, sharedRateBudget } from './shared-budget.js';
export { type FetchFunction, isIdempotent, requireHttps } from './transport.js';
