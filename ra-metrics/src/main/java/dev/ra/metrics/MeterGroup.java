package dev.ra.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;

/**
 * A part of the node's meters ({@link RaMetrics}): the servers, the calls, the WAL, the transport. Each takes a
 * snapshot of its statistics at a refresh, which its meters then read, and keeps its meters in step with what exists
 * (servers and peers come and go). Called with the owner's lock held.
 */
interface MeterGroup
{
    /**
     * Take a new snapshot, and add or remove meters in every registry for what appeared or went away.
     *
     * @param registries bound so far.
     * @param meters     registered so far.
     */
    void refresh(List<MeterRegistry> registries, RegisteredMeters meters);

    /**
     * Register in a newly bound registry (or again) the meters it does not have yet.
     *
     * @param registry to register in.
     * @param meters   registered so far.
     */
    void register(MeterRegistry registry, RegisteredMeters meters);
}
