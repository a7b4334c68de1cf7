/**
 * The crash test's webhook senders: `concurrency` loops share the deliveries, each signed with
 * Standard Webhooks (`webhook-id` stays the same on every resend, as a real sender's retries do).
 * A delivery that gets no answer or an error is put back and resent, as senders do, until it is
 * answered 2xx. Every 25th answered delivery is also resent once on purpose: it must come back
 * as the same answer, marked duplicate.
 */
import { signWebhook } from "../../engine/events/index.ts";
import { sleep } from "./agent.ts";

export interface HookAnswer {
  status: number;
  eventId: string;
  runs: string[];
  duplicate: boolean;
}

export interface Delivery {
  n: number;
  id: string;
  body: string;
  answers: HookAnswer[];
  /** errors and missing answers, e.g. "HTTP 500", "fetch failed" */
  failures: string[];
  /** a 2xx whose body never arrived (the connection died mid-answer) */
  cutOff?: boolean;
}

export function makeDeliveries(count: number): Delivery[] {
  return Array.from({ length: count }, (_, n) => ({
    n,
    id: `msg_crash_${n}`,
    body: JSON.stringify({ n, sent_by: "crash-test" }),
    answers: [],
    failures: [],
  }));
}

export interface SenderOptions {
  baseUrl: () => string;
  tenant: string;
  endpoint: string;
  secret: string;
  concurrency: number;
  onAnswer: (delivery: Delivery, answer: HookAnswer) => void;
}

export async function sendAll(deliveries: Delivery[], options: SenderOptions): Promise<void> {
  const queue = deliveries.map((delivery) => ({ delivery, purposeful: false }));
  let inFlight = 0;
  const worker = async () => {
    for (;;) {
      const item = queue.shift();
      if (item === undefined) {
        if (inFlight === 0) return;
        await sleep(50);
        continue;
      }
      inFlight += 1;
      try {
        const answer = await send(item.delivery, options);
        if (answer === null) {
          queue.push(item);
          await sleep(250);
          continue;
        }
        item.delivery.answers.push(answer);
        options.onAnswer(item.delivery, answer);
        if (!item.purposeful && item.delivery.n % 25 === 0)
          queue.push({ delivery: item.delivery, purposeful: true });
      } finally {
        inFlight -= 1;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
}

/** One attempt: the answer if 2xx, else null (the failure is recorded on the delivery). */
async function send(delivery: Delivery, options: SenderOptions): Promise<HookAnswer | null> {
  const headers = await signWebhook({
    scheme: "standard",
    secret: options.secret,
    body: delivery.body,
    now: Date.now(),
    id: delivery.id,
  });
  let res: Response;
  try {
    res = await fetch(`${options.baseUrl()}/hooks/${options.tenant}${options.endpoint}`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: delivery.body,
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    delivery.failures.push(`no answer: ${(error as Error).message}`);
    return null;
  }
  let text: string;
  try {
    text = await res.text();
  } catch (error) {
    // The status line arrived but the connection died before the body (the kill landed mid-answer):
    // for the sender that is no answer, and it resends. The event was stored before the 2xx was
    // written, so the resend must come back marked duplicate; `cutOff` lets the test check that.
    delivery.failures.push(`answer cut off after HTTP ${res.status}: ${(error as Error).message}`);
    if (res.status >= 200 && res.status < 300) delivery.cutOff = true;
    return null;
  }
  if (res.status < 200 || res.status >= 300) {
    delivery.failures.push(`HTTP ${res.status} ${text.slice(0, 120)}`);
    return null;
  }
  try {
    const body = JSON.parse(text) as { event_id: string; runs: string[] };
    return {
      status: res.status,
      eventId: body.event_id,
      runs: body.runs,
      duplicate: res.headers.get("x-edgeflow-duplicate") === "true",
    };
  } catch {
    delivery.failures.push(`2xx that is not JSON: ${text.slice(0, 120)}`);
    return null;
  }
}
