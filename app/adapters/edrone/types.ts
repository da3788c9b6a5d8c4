/** One `action_type=subscribe` trace. Set email + subscriberStatus, phone + smsSubscriberStatus, or both. */
export interface SubscribeTrace {
  appId: string;
  email?: string;
  subscriberStatus?: '0' | '1';
  phone?: string;
  smsSubscriberStatus?: '0' | '1';
}

/**
 * edrone's trace API. Errors: ThrottledError (429), RetriableError (5xx,
 * network, timeout), PermanentError (other 4xx, e.g. an unknown App ID).
 */
export interface EdroneTraceClient {
  sendSubscribe(trace: SubscribeTrace): Promise<void>;
  /** Checks that edrone knows this App ID. */
  checkAppId(appId: string): Promise<{ ok: true } | { ok: false; reason: string }>;
}
