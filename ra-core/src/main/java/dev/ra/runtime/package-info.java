/**
 * The runtime shell behind {@link dev.ra.RaSystem}: event loops that run many servers each, server mailboxes, timers,
 * client calls with redirects and timeouts, processes and monitors, and the execution of the actions and effects the
 * pure core ({@link dev.ra.core.ServerCore}) returns. Internal: applications use {@link dev.ra.RaSystem}; the public
 * types here exist because the public API lives in another package. See {@code docs/RUNTIME.md}.
 */
package dev.ra.runtime;
