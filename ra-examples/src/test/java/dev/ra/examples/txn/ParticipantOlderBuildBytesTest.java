package dev.ra.examples.txn;

import dev.ra.RaftRole;
import dev.ra.StateMachine;
import dev.ra.examples.support.GoldenFiles;
import dev.ra.examples.support.GoldenTranscript;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Version 0 of the participant machine against the bytes and replies of the build that ran it last (captured from
 * that build, in the resource named below): a member of this build replaying a version 0 log must write the snapshots
 * and give the replies that build did.
 */
class ParticipantOlderBuildBytesTest
{
    /** The machine version the resource was captured at: the newest of the build before version 1. */
    static final int OLDER_VERSION = 0;

    static List<String> transcript(final StateMachine<ParticipantCommand, ParticipantState> machine)
    {
        final GoldenTranscript<ParticipantCommand, ParticipantState> bank =
            new GoldenTranscript<>(machine, ParticipantCommand.class);
        bank.apply(new ParticipantCommand.Deposit("alice", 100));
        bank.apply(new ParticipantCommand.Deposit("bob", 10));
        bank.apply(new ParticipantCommand.Prepare("t1", List.of(new Change("alice", -30), new Change("bob", 5))));
        bank.apply(new ParticipantCommand.Prepare("t1", List.of(new Change("alice", -30), new Change("bob", 5))));
        bank.apply(new ParticipantCommand.Prepare("txn-5-a", List.of(new Change("bob", -50))));
        bank.apply(new ParticipantCommand.Prepare("t2", List.of(new Change("carol", 1))));
        bank.apply(new ParticipantCommand.Abort("txn-7-b"));
        bank.snapshot();
        bank.apply(new ParticipantCommand.Prepare("txn-7-b", List.of(new Change("alice", -1))));
        bank.apply(new ParticipantCommand.Prepare("txn-9-c", List.of(new Change("alice", -20))));
        bank.apply(new ParticipantCommand.Commit("t1"));
        bank.apply(new ParticipantCommand.Commit("t1"));
        bank.apply(new ParticipantCommand.Abort("t1"));
        bank.enter(RaftRole.LEADER);
        bank.apply(new ParticipantCommand.Abort("txn-9-c"));
        bank.apply(new ParticipantCommand.Commit("txn-9-c"));
        bank.apply(new ParticipantCommand.Commit("never"));
        bank.apply(new ParticipantCommand.Deposit("bob", Long.MAX_VALUE));
        bank.snapshot();
        bank.apply(new ParticipantCommand.Prepare("txn-11-d", List.of(new Change("bob", 3), new Change("alice", -3))));
        bank.apply(new ParticipantCommand.Deposit("carol", 4));
        bank.snapshot();
        return bank.lines();
    }

    @Test
    void shouldWriteTheSnapshotsAndGiveTheRepliesOfTheOlderBuild()
    {
        final StateMachine<ParticipantCommand, ParticipantState> machine = older();
        GoldenFiles.check("/dev/ra/examples/txn/participant-v0.golden", transcript(machine), machine);
    }

    static StateMachine<ParticipantCommand, ParticipantState> older()
    {
        return new ParticipantMachine(ReleaseCursorPolicy.every(5)).machineFor(OLDER_VERSION);
    }
}
