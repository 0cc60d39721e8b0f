package dev.ra.examples.kv;

import dev.ra.RaftRole;
import dev.ra.StateMachine;
import dev.ra.examples.support.GoldenFiles;
import dev.ra.examples.support.GoldenTranscript;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Version 0 of the KV machine against the bytes and replies of the build that ran it last (captured from that build,
 * in the resource named below): a member of a later build replaying a version 0 log must write the snapshots and give
 * the replies that build did, puts, deletes and compare-and-sets, absent keys and re-created ones included.
 */
class KvOlderBuildBytesTest
{
    /** The machine version the resource was captured at: the newest of the build it was captured from. */
    static final int OLDER_VERSION = 0;

    static List<String> transcript(final StateMachine<KvCommand, KvState> machine)
    {
        final GoldenTranscript<KvCommand, KvState> kv = new GoldenTranscript<>(machine, KvCommand.class);
        kv.enter(RaftRole.LEADER);
        kv.apply(new KvCommand.Put("a", "1"));
        kv.apply(new KvCommand.Put("a", "2"));
        kv.apply(new KvCommand.Put("b", ""));
        kv.apply(new KvCommand.Delete("absent"));
        kv.apply(new KvCommand.Cas("a", "2", "3"));
        kv.apply(new KvCommand.Cas("a", "2", "4"));
        kv.apply(new KvCommand.Cas("c", null, "created"));
        kv.apply(new KvCommand.Cas("c", null, "again"));
        kv.snapshot();
        kv.apply(new KvCommand.Cas("c", "created", null));
        kv.apply(new KvCommand.Delete("b"));
        kv.apply(new KvCommand.Put("b", "re-created"));
        kv.apply(new KvCommand.Cas("absent", "x", "y"));
        kv.enter(RaftRole.FOLLOWER);
        kv.apply(new KvCommand.Put("é", "ünïcode"));
        kv.snapshot();
        return kv.lines();
    }

    @Test
    void shouldWriteTheSnapshotsAndGiveTheRepliesOfTheOlderBuild()
    {
        final StateMachine<KvCommand, KvState> machine = older();
        GoldenFiles.check("/dev/ra/examples/kv/kv-v0.golden", transcript(machine), machine);
    }

    static StateMachine<KvCommand, KvState> older()
    {
        return new KvMachine(ReleaseCursorPolicy.every(5)).machineFor(OLDER_VERSION);
    }
}
