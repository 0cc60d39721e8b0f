package dev.ra.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.ra.core.CoreTestAccess.DisruptionBug;
import org.junit.jupiter.api.Test;

/**
 * Issue 22: a flapping connection to a healthy leader does not change the term. In each seed the link between the
 * leader and one follower flaps every 1 to 40 ms for about 2.7 s of virtual time (up, down with node-down reports,
 * silent with silence reports; {@link LinkFlapper}) while clients write and read, and the rest of the cluster hears
 * the leader all along. With pre-vote the follower never gathers a quorum of pre-votes, so no member's term moves and
 * the leader keeps leading; the usual safety checks and the linearizability of the history hold as in every
 * simulation. {@code -Dra.sim.flapSeeds=N} sets the number of seeds (default 200, 3 and 5 members alternately),
 * {@code -Dra.sim.firstSeed=S} the first (default 1), for long runs beyond the seeds of every build.
 *
 * <p>The property is not vacuous: a core that campaigns without pre-voting, one that campaigns at once when told its
 * leader's node is down, and one whose members grant pre-votes while they hear their leader all fail it within a few
 * seeds.
 */
class FlappingLinkTest
{
    private static final int SEEDS = Integer.getInteger("ra.sim.flapSeeds", 200);
    private static final long FIRST_SEED = Long.getLong("ra.sim.firstSeed", 1);
    private static final int SEEDS_TO_CATCH_A_BUG = 50;

    @Test
    void flappingLinkToAHealthyLeaderChangesNoTerm()
    {
        long changes = 0;
        for (long seed = FIRST_SEED; seed < FIRST_SEED + SEEDS; seed++)
        {
            final Simulation simulation = flapping(seed, null);
            simulation.run();
            assertThat(simulation.flapper().started()).as("seed %d: flapping started", seed).isTrue();
            changes += simulation.flapper().changes();
        }
        assertThat(changes).as("link state changes over all seeds").isGreaterThan(SEEDS * 50L);
    }

    @Test
    void failsWithoutPreVote()
    {
        assertCaught(DisruptionBug.ELECTION_WITHOUT_PRE_VOTE);
    }

    @Test
    void failsWhenNodeDownStartsAnElectionAtOnce()
    {
        assertCaught(DisruptionBug.LEADER_DOWN_STARTS_ELECTION);
    }

    @Test
    void failsWhenPreVotesAreGrantedWhileTheLeaderIsHeard()
    {
        assertCaught(DisruptionBug.PRE_VOTE_IGNORES_LIVE_LEADER);
    }

    private static void assertCaught(final DisruptionBug bug)
    {
        for (long seed = 1; seed <= SEEDS_TO_CATCH_A_BUG; seed++)
        {
            try
            {
                flapping(seed, bug).run();
            }
            catch (final Simulation.Violation violation)
            {
                assertThat(violation.getMessage()).as("%s caught at seed %d", bug, seed).contains("flapping link: ");
                return;
            }
        }
        fail("%s not caught in %d seeds", bug, SEEDS_TO_CATCH_A_BUG);
    }

    private static Simulation flapping(final long seed, final DisruptionBug bug)
    {
        return new Simulation(Simulation.Options.quiet(seed, seed % 2 == 0 ? 5 : 3)).flapLeaderLink(bug);
    }
}
