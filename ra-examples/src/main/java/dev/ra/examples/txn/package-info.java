/**
 * Two-phase commit across clusters: money transfers between accounts held by independent participant clusters,
 * driven by a coordinator whose decisions are logged in a cluster of its own.
 *
 * <p>{@link dev.ra.examples.txn.ParticipantMachine} holds accounts and prepared transactions;
 * {@link dev.ra.examples.txn.CoordinatorMachine} logs each transaction's begin, decision and end;
 * {@link dev.ra.examples.txn.TransferDriver} runs on the coordinator cluster's leader (started by
 * {@link dev.ra.examples.txn.DriverHost}) and drives the participants; {@link dev.ra.examples.txn.TransferClient} and
 * {@link dev.ra.examples.txn.ParticipantClient} are the typed clients.
 */
package dev.ra.examples.txn;
