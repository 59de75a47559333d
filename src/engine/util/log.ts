import { redact } from './redact';

// Logging crosses the engine boundary as a small sink; every line passes the one redaction point.
export interface LogSink {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const noLog: LogSink = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** Wraps a sink so that nothing reaches it before secrets are masked. */
export function redactingLog(sink: LogSink): LogSink {
  return {
    trace: (m) => sink.trace(redact(m)),
    debug: (m) => sink.debug(redact(m)),
    info: (m) => sink.info(redact(m)),
    warn: (m) => sink.warn(redact(m)),
    error: (m) => sink.error(redact(m)),
  };
}
