/**
 * How commands that run workers end: the first SIGTERM/SIGINT asks them to stop (jobs in hand get
 * a grace), a second exits at once; and once everything is closed, nothing may keep the process.
 */

/** Calls `first` on the first SIGTERM or SIGINT; a second one exits at once. Returns the un-registration. */
export function onStopSignal(first: () => void): () => void {
  let signals = 0;
  const onSignal = () => {
    signals += 1;
    if (signals > 1) process.exit(130);
    first();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
}

/**
 * Ends the process shortly after a command has closed everything, should anything BullMQ left
 * behind (the lock-renewal timer of a worker whose close was cut short) still keep it alive.
 */
export function exitIfStuck(): void {
  setTimeout(() => process.exit(), 2000).unref();
}
