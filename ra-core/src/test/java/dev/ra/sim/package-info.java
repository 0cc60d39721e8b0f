/**
 * Deterministic simulation and scenario tests of the pure core ({@link dev.ra.core.ServerCore}).
 *
 * <p>{@link dev.ra.sim.Simulation} runs a cluster of cores on one thread in virtual time, with a seeded scheduler,
 * a faulty network, disks that lose unsynced writes, pauses, crashes and membership changes, and checks Raft's safety
 * properties after every step ({@link dev.ra.sim.SafetyChecker}) and the clients' history for linearizability at the
 * end; {@link dev.ra.sim.SimulationTest} runs many seeds of it. {@link dev.ra.sim.ScenarioRunner} drives cores from
 * scripts instead, one message and one sync at a time, and {@link dev.ra.sim.ScenarioTest} compares the actions they
 * return with the traces under {@code src/test/resources/scenarios}.
 */
package dev.ra.sim;
