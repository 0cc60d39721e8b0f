/**
 * A linearizability checker for key-value histories (read, write and compare-and-set on one register per key), used
 * by the simulation and the runtime tests to judge what clients saw.
 *
 * <p>{@link dev.ra.lincheck.History} records operations as clients invoke and complete them (an operation whose
 * outcome is unknown may or may not have taken effect); {@link dev.ra.lincheck.LinearizabilityChecker} splits the
 * history by key and runs a Wing-Gong-Lowe search on each, bounded by a {@link dev.ra.lincheck.SearchBudget}, and
 * returns a {@link dev.ra.lincheck.CheckResult} whose explanation shows the longest linearizable prefix and why no
 * operation can follow it.
 */
package dev.ra.lincheck;
