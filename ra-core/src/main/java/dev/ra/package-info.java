/**
 * The public API of Ra for the JVM: {@link dev.ra.RaSystem} (one node: starts clusters, sends commands and queries,
 * changes membership), {@link dev.ra.StateMachine} (what an application implements: a pure, deterministic
 * {@code apply} returning the new state, a reply and effects), the effects themselves ({@link dev.ra.Effect}: records
 * the runtime executes, on the leader unless stated otherwise), results and the exceptions calls fail with.
 * Everything an application needs is here; the other packages are the engine behind it. See the README and
 * {@code docs/RUNTIME.md}.
 */
package dev.ra;
