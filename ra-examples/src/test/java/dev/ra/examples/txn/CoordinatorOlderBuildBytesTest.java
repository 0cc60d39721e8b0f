package dev.ra.examples.txn;

import dev.ra.ProcessRef;
import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.examples.support.GoldenFiles;
import dev.ra.examples.support.GoldenTranscript;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Version 0 of the coordinator machine against the bytes and replies of the build that ran it last (captured from
 * that build, in the resource named below): a member of this build replaying a version 0 log must write the snapshots
 * and give the replies that build did.
 */
class CoordinatorOlderBuildBytesTest
{
    /** The machine version the resource was captured at: the newest of the build before version 1. */
    static final int OLDER_VERSION = 0;
    private static final ServerId N1 = new ServerId("coordinator", "n1");
    private static final ServerId N2 = new ServerId("coordinator", "n2");
    private static final ProcessRef APP = new ProcessRef("app", 1);
    private static final ProcessRef OTHER = new ProcessRef("app", 2);
    private static final List<Leg> AB = List.of(new Leg("a", "alice", -5), new Leg("b", "bob", 5));
    private static final List<Leg> BA = List.of(new Leg("b", "bob", -3), new Leg("a", "alice", 3));

    static List<String> transcript(final StateMachine<CoordinatorCommand, CoordinatorState> machine)
    {
        final GoldenTranscript<CoordinatorCommand, CoordinatorState> log =
            new GoldenTranscript<>(machine, CoordinatorCommand.class);
        log.enter(RaftRole.LEADER);
        log.apply(new CoordinatorCommand.Begin("t0", AB, APP));
        log.apply(new CoordinatorCommand.Claim(N1));
        log.apply(new CoordinatorCommand.Begin("t1", AB, APP));
        log.apply(new CoordinatorCommand.Begin("t1", AB, APP));
        log.apply(new CoordinatorCommand.Begin("t2", BA, OTHER));
        log.apply(new CoordinatorCommand.Decide("t1", true, ""));
        log.apply(new CoordinatorCommand.Decide("t1", false, "too late"));
        log.apply(new CoordinatorCommand.Finish("t2"));
        log.apply(new CoordinatorCommand.Decide("t2", false, "participant 'b' voted no: no account 'bob'"));
        log.snapshot();
        log.apply(new CoordinatorCommand.Finish("t1"));
        log.apply(new CoordinatorCommand.Finish("t1"));
        log.apply(new CoordinatorCommand.Decide("nobody", true, ""));
        log.apply(new CoordinatorCommand.Finish("nobody"));
        log.enter(RaftRole.FOLLOWER);
        log.apply(new CoordinatorCommand.Claim(N2));
        log.apply(new CoordinatorCommand.Decide("t0", false, "presumed abort"));
        log.apply(new CoordinatorCommand.Begin("t3", AB, APP));
        log.snapshot();
        log.apply(new CoordinatorCommand.Finish("t2"));
        log.apply(new CoordinatorCommand.Finish("t0"));
        log.apply(new CoordinatorCommand.Begin("t1", BA, OTHER));
        log.apply(new CoordinatorCommand.Decide("t3", true, ""));
        log.snapshot();
        return log.lines();
    }

    @Test
    void shouldWriteTheSnapshotsAndGiveTheRepliesOfTheOlderBuild()
    {
        final StateMachine<CoordinatorCommand, CoordinatorState> machine = older();
        GoldenFiles.check("/dev/ra/examples/txn/coordinator-v0.golden", transcript(machine), machine);
    }

    static StateMachine<CoordinatorCommand, CoordinatorState> older()
    {
        return new CoordinatorMachine(N1, CoordinatorMachine.DEFAULT_HANDLER, ReleaseCursorPolicy.every(5))
            .machineFor(OLDER_VERSION);
    }
}
