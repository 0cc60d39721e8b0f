/**
 * Sessions and leases, after etcd's lessor: a client session with a time-to-live, kept alive by keep-alives that are
 * NOT written to the log, and a leased key-value store whose keys vanish with their session.
 *
 * <p>{@link dev.ra.examples.lease.SessionTable} is the reusable, pure part (sessions, what is bound to them, and the
 * epoch that fences expiries); {@link dev.ra.examples.lease.LessorHost} is the leader-local helper that tracks
 * keep-alives and asks the log to expire a session; {@link dev.ra.examples.lease.LeasedKvMachine} is the etcd-v3-like
 * store built on both, with watches from {@link dev.ra.examples.watch}.
 */
package dev.ra.examples.lease;
