/**
 * A replicated key-value store: put, delete, compare-and-set, linearizable and local reads.
 *
 * <p>{@link dev.ra.examples.kv.KvMachine} is the state machine, {@link dev.ra.examples.kv.KvCommand} its commands and
 * {@link dev.ra.examples.kv.KvReply} its replies.
 */
package dev.ra.examples.kv;
