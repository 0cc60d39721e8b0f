package dev.ra.sim;

import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.core.RaftEvent;

/**
 * The simulation as the link flapper sees it ({@link Simulation#flapLeaderLink}): its scheduler, the links it blocks,
 * the failure detector reports it delivers, and each member's term and role.
 */
final class FlapperView implements LinkFlapper.Cluster
{
    private final Simulation sim;

    FlapperView(final Simulation sim)
    {
        this.sim = sim;
    }

    @Override
    public void schedule(final long delayMs, final Runnable action)
    {
        sim.schedule(delayMs, action);
    }

    @Override
    public void block(final int from, final int to, final boolean block)
    {
        sim.blocked[from][to] = block;
    }

    @Override
    public void report(final int observer, final RaftEvent event)
    {
        sim.deliver(sim.nodes[observer], event);
    }

    @Override
    public int leader()
    {
        final Simulation.Node leader = sim.leader();
        return null == leader ? -1 : leader.index;
    }

    @Override
    public boolean everyoneFollows(final int leader)
    {
        return sim.everyoneFollows(sim.nodes[leader]);
    }

    @Override
    public ServerId id(final int member)
    {
        return sim.nodes[member].id;
    }

    @Override
    public long term(final int member)
    {
        return sim.nodes[member].alive ? sim.nodes[member].core.currentTerm() : -1;
    }

    @Override
    public RaftRole role(final int member)
    {
        return sim.nodes[member].alive ? sim.nodes[member].core.role() : null;
    }

    @Override
    public long now()
    {
        return sim.now();
    }
}
