import { isRpcMethod, ServiceError, validateArgs, type SluiceService, type WireError } from './contract.js';
import { toServiceError } from './service.js';

/**
 * What every transport does with one incoming call: check the method exists, validate the arguments against
 * the contract, run it, and turn any failure into the wire error shape.
 */
export async function dispatch(service: SluiceService, method: string, args: unknown): Promise<{ result: unknown } | WireError> {
  try {
    if (!isRpcMethod(method)) throw new ServiceError('not-found', `unknown method '${method}'`);
    const valid = validateArgs(method, args);
    const call = service[method] as (...a: unknown[]) => Promise<unknown>;
    return { result: await call.apply(service, valid) };
  } catch (error) {
    const e = toServiceError(error);
    return { error: { code: e.code, message: e.message } };
  }
}
