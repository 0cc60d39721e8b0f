/**
 * The distributed toolbox: small coordination tools, each a Ra {@link dev.ra.StateMachine} plus a typed client, in
 * the spirit of the ra-toolbox talk ("Make a Distributed Toolbox with Ra").
 *
 * <ul>
 *   <li>{@link dev.ra.examples.kv}: a key-value store with compare-and-set.</li>
 *   <li>{@link dev.ra.examples.group}: group membership with automatic removal of dead members.</li>
 *   <li>{@link dev.ra.examples.lock}: a lock with fencing tokens.</li>
 *   <li>{@link dev.ra.examples.sessionlock}: a lock whose holder keeps it for a grace period when its node becomes
 *       unreachable.</li>
 *   <li>{@link dev.ra.examples.leader}: follow-the-leader, a companion process that runs next to the Raft leader.</li>
 *   <li>{@link dev.ra.examples.tasks}: a work queue with at-least-once task completion.</li>
 *   <li>{@link dev.ra.examples.lease}: sessions kept alive without logging their keep-alives, and an etcd-v3-like
 *       key-value store whose keys can be bound to a session.</li>
 *   <li>{@link dev.ra.examples.watch}: watches on keys and prefixes from a revision, none missed and none duplicated
 *       across a failover.</li>
 *   <li>{@link dev.ra.examples.tree}: a ZooKeeper-like tree (versions, ephemeral and sequential nodes, watches,
 *       multi) and Curator-style recipes on it ({@link dev.ra.examples.tree.recipes}: lock, leader latch, barrier,
 *       double barrier).</li>
 *   <li>{@link dev.ra.examples.latch}: counting latches and cyclic barriers.</li>
 *   <li>{@link dev.ra.examples.txn}: two-phase commit of transfers between accounts held by different clusters.</li>
 * </ul>
 *
 * <p>{@code docs/toolbox.md} describes the second part of the toolbox and compares each recipe with ZooKeeper/Curator,
 * etcd v3 and Hazelcast's CP subsystem.
 *
 * <p>Every machine follows the same rules, which make it a usable template: commands are sealed interfaces of records,
 * encoded (with the replies, messages and state) by the generic codec declared to the machine's types
 * ({@link dev.ra.codec.Codecs#generic(Class[])}), which refuses bytes naming any other class; the state is an
 * immutable record that is replaced, never mutated, {@code apply} never throws for a well-formed command, monitors
 * and timers are re-issued on becoming leader, and a {@link dev.ra.Effect.ReleaseCursor} is emitted regularly so the
 * log can be snapshotted and truncated.
 */
package dev.ra.examples;
