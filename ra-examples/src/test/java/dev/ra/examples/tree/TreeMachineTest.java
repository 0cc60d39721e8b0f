package dev.ra.examples.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ApplyResult;
import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.Effect;
import dev.ra.ProcessRef;
import dev.ra.RaftRole;
import dev.ra.StateMachine;
import dev.ra.codec.CodecException;
import dev.ra.examples.lease.LeasedKvCommand;
import dev.ra.examples.lease.SessionCommand;
import dev.ra.examples.lease.SessionReply;
import dev.ra.examples.support.CommandNumber;
import dev.ra.examples.support.Determinism;
import dev.ra.examples.support.Input;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Pinned cases of the tree machine: re-registration after a failover, ZooKeeper's sequential names, bad input,
 * every command type handled, determinism and snapshots.
 */
class TreeMachineTest
{
    private static final ProcessRef WATCHER = new ProcessRef("c1", 7);

    private final MachineDriver<TreeMachineCommand, TreeState> tree =
        new MachineDriver<>(new TreeMachine("lessor", ReleaseCursorPolicy.every(64)), TreeMachineCommand.class);

    @Test
    void aReregisteredWatchOnAGoneNodeFiresAtTheDeletionNotLaterSoAWatchSetAfterItStays()
    {
        tree.apply(new TreeOp.Create("/c", "", CreateMode.PERSISTENT, 0));
        final long dataWatchAt = ((TreeReply.NodeData)tree.apply(new TreeCommand.GetData("/c", WATCHER)).reply())
            .zxid();
        final long deletedAt = tree.nextIndex();
        tree.apply(new TreeOp.Delete("/c", TreeOp.ANY_VERSION));    // its event is lost with the leader
        tree.apply(new TreeOp.Create("/other", "", CreateMode.PERSISTENT, 0));
        final long existWatchAt = ((TreeReply.Existence)tree.apply(new TreeCommand.Exists("/c", WATCHER)).reply())
            .zxid();

        final ApplyResult<TreeState> result = tree.apply(new TreeCommand.Reregister(WATCHER, List.of(
            new TreeCommand.HeldWatch("/c", WatchMode.DATA, dataWatchAt),
            new TreeCommand.HeldWatch("/c", WatchMode.EXIST, existWatchAt))));

        final List<TreeWatchMessage.Event> events = events(result);
        assertThat(events).singleElement().satisfies(e ->
        {
            assertThat(e.type()).isEqualTo(TreeEventType.NODE_DELETED);
            // After the data watch, at or before the exists watch: the client fires the first and keeps the second.
            assertThat(e.zxid()).isGreaterThan(dataWatchAt).isGreaterThanOrEqualTo(deletedAt)
                .isLessThan(existWatchAt);
        });
        assertThat(tree.state().watches().watches()).containsExactly(new TreeWatch(WATCHER, "/c", WatchMode.EXIST));
    }

    @Test
    void aReregisteredExistsWatchFiresForANodeThatCameAndWentMeanwhile()
    {
        tree.apply(new TreeOp.Create("/p", "", CreateMode.PERSISTENT, 0));
        final long watchAt = ((TreeReply.Existence)tree.apply(new TreeCommand.Exists("/p/n", WATCHER)).reply())
            .zxid();
        tree.apply(new TreeOp.Create("/p/n", "", CreateMode.PERSISTENT, 0));   // its event is lost with the leader
        tree.apply(new TreeOp.Delete("/p/n", TreeOp.ANY_VERSION));

        final ApplyResult<TreeState> result = tree.apply(new TreeCommand.Reregister(WATCHER,
            List.of(new TreeCommand.HeldWatch("/p/n", WatchMode.EXIST, watchAt))));

        assertThat(events(result)).singleElement().satisfies(e -> assertThat(e.zxid()).isGreaterThan(watchAt));
        assertThat(tree.state().watches().watches()).isEmpty();
    }

    @Test
    void aReregisteredExistsWatchUnderAMissingParentStaysQuietWhenNothingChangedNearIt()
    {
        final long watchAt = ((TreeReply.Existence)tree.apply(new TreeCommand.Exists("/x/y", WATCHER)).reply())
            .zxid();
        tree.apply(new TreeOp.Create("/elsewhere", "", CreateMode.PERSISTENT, 0));
        tree.apply(new TreeOp.Create("/elsewhere/z", "", CreateMode.PERSISTENT, 0));

        final ApplyResult<TreeState> quiet = tree.apply(new TreeCommand.Reregister(WATCHER,
            List.of(new TreeCommand.HeldWatch("/x/y", WatchMode.EXIST, tree.nextIndex() - 1))));
        assertThat(events(quiet)).as("nothing changed under / since").isEmpty();
        assertThat(tree.state().watches().watches()).containsExactly(new TreeWatch(WATCHER, "/x/y", WatchMode.EXIST));

        // Seen from the watch's own zxid, /elsewhere appeared under the root since: /x may have come and gone.
        final ApplyResult<TreeState> inDoubt = tree.apply(new TreeCommand.Reregister(WATCHER,
            List.of(new TreeCommand.HeldWatch("/x/y", WatchMode.EXIST, watchAt))));
        assertThat(events(inDoubt)).singleElement().satisfies(e -> assertThat(e.zxid()).isGreaterThan(watchAt));
    }

    @Test
    void sequentialNodesAreNamedWithTheParentsTenDigitChildCounter()
    {
        tree.apply(new TreeOp.Create("/q", "", CreateMode.PERSISTENT, 0));
        tree.apply(new TreeOp.Create("/q/x", "", CreateMode.PERSISTENT, 0));
        tree.apply(new TreeOp.Delete("/q/x", TreeOp.ANY_VERSION));
        final TreeReply created = (TreeReply)tree.apply(
            new TreeOp.Create("/q/job-", "", CreateMode.PERSISTENT_SEQUENTIAL, 0)).reply();
        assertThat(created).isInstanceOfSatisfying(TreeReply.Created.class,
            c -> assertThat(c.path()).isEqualTo("/q/job-0000000002"));
        assertThat(tree.state().node("/q").stat().cversion()).isEqualTo(3);
    }

    @Test
    void aSequentialPrefixMayEndWithASlashAsInZooKeeperButAPlainPathMayNot()
    {
        tree.apply(new TreeOp.Create("/q", "", CreateMode.PERSISTENT, 0));
        assertThat(tree.apply(new TreeOp.Create("/q/", "", CreateMode.PERSISTENT_SEQUENTIAL, 0)).reply())
            .isInstanceOfSatisfying(TreeReply.Created.class, c -> assertThat(c.path()).isEqualTo("/q/0000000000"));
        assertThat(tree.apply(new TreeOp.Create("/", "", CreateMode.PERSISTENT_SEQUENTIAL, 0)).reply())
            .isInstanceOfSatisfying(TreeReply.Created.class, c -> assertThat(c.path()).isEqualTo("/0000000001"));
        assertThat(tree.state().node("/q").children()).containsExactly("0000000000");
        assertThat(tree.apply(new TreeOp.Create("/q/", "", CreateMode.PERSISTENT, 0)).reply())
            .isEqualTo(new TreeReply.BadArguments("path must not end with '/', got '/q/'"));
        assertThat(tree.apply(new TreeOp.Create("/q//", "", CreateMode.PERSISTENT_SEQUENTIAL, 0)).reply())
            .isInstanceOf(TreeReply.BadArguments.class);
    }

    @Test
    void badInputIsRefusedToTheCallerNamingWhatAndWhere()
    {
        assertThat(tree.apply(new TreeOp.Create("a/b", "", CreateMode.PERSISTENT, 0)).reply())
            .isEqualTo(new TreeReply.BadArguments("path must start with '/', got 'a/b'"));
        assertThat(tree.apply(new TreeOp.Create("/e", "", CreateMode.EPHEMERAL, 0)).reply())
            .isInstanceOfSatisfying(TreeReply.BadArguments.class,
                b -> assertThat(b.reason()).contains("needs a session").contains("/e"));
        assertThat(tree.apply(new TreeOp.Delete("/", TreeOp.ANY_VERSION)).reply())
            .isEqualTo(new TreeReply.BadArguments("the root cannot be deleted"));
        // A command of another type is refused before the log (CommandTypeTest); these are the families it takes.
        assertThat(new TreeMachine().commandType())
            .matches(type -> type.isInstance(new TreeOp.Delete("/x", TreeOp.ANY_VERSION)), "takes tree ops")
            .matches(type -> type.isInstance(new SessionCommand.Revoke(1)), "takes session commands")
            .matches(type -> !type.isInstance("create /x"), "refuses a string")
            .matches(type -> !type.isInstance(new LeasedKvCommand.Delete("k", false)), "refuses a leased kv command");
        assertThatThrownBy(() -> new TreeMachine().query(TreeMachine.GET_DATA, "x//", TreeState.EMPTY))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("getData").hasMessageContaining("x//");
        assertThat(tree.state()).isEqualTo(new TreeMachine().init(null));
    }

    @Test
    void shouldHandleEveryPermittedCommandType()
    {
        final List<Class<?>> permitted = new ArrayList<>(List.of(TreeCommand.class.getPermittedSubclasses()));
        permitted.remove(TreeOp.class);
        permitted.addAll(List.of(TreeOp.class.getPermittedSubclasses()));
        assertThat(permitted).containsExactlyInAnyOrderElementsOf(List.of(TreeOp.Create.class, TreeOp.Delete.class,
            TreeOp.DeleteCreated.class, TreeOp.SetData.class, TreeOp.Check.class, TreeOp.CheckChildren.class,
            TreeCommand.Multi.class,
            TreeCommand.GetData.class,
            TreeCommand.Exists.class, TreeCommand.GetChildren.class, TreeCommand.AddWatch.class,
            TreeCommand.RemoveWatches.class, TreeCommand.Reregister.class, TreeCommand.Configure.class));
        for (final TreeCommand command : List.of(new TreeOp.Create("/d", "", CreateMode.PERSISTENT, 0),
            new TreeOp.SetData("/d", "x", 0), new TreeOp.Check("/d", 1), new TreeOp.CheckChildren("/d", 0),
            new TreeCommand.GetData("/d", WATCHER),
            new TreeCommand.Exists("/d", WATCHER), new TreeCommand.GetChildren("/d", WATCHER),
            new TreeCommand.AddWatch("/d", WATCHER, true), new TreeCommand.RemoveWatches("/d", WATCHER, null),
            new TreeCommand.Reregister(WATCHER, List.of()), new TreeCommand.Multi(List.of()),
            new TreeOp.Delete("/d", 1), new TreeOp.Create("/d", "", CreateMode.PERSISTENT, 0)))
        {
            assertThat(tree.apply(command).reply()).as("reply to %s", command).isInstanceOfSatisfying(
                TreeReply.class, r -> assertThat(r.ok()).isTrue());
        }
        final TreeOp.DeleteCreated guarded =
            new TreeOp.DeleteCreated("/d", 0, tree.state().node("/d").stat().czxid());
        assertThat(tree.apply(guarded).reply()).isEqualTo(new TreeReply.Deleted("/d"));
    }

    @Test
    void aGuardedDeleteLeavesANodeCreatedAnewAtThePathAlone()
    {
        final long first = ((TreeReply.Created)tree.apply(new TreeOp.Create("/n", "", CreateMode.PERSISTENT, 0))
            .reply()).stat().czxid();
        tree.apply(new TreeOp.Delete("/n", TreeOp.ANY_VERSION));
        final long second = ((TreeReply.Created)tree.apply(new TreeOp.Create("/n", "", CreateMode.PERSISTENT, 0))
            .reply()).stat().czxid();

        assertThat(tree.apply(new TreeOp.DeleteCreated("/n", TreeOp.ANY_VERSION, first)).reply())
            .isEqualTo(new TreeReply.NoNode("/n"));
        assertThat(tree.apply(new TreeCommand.Multi(List.of(new TreeOp.DeleteCreated("/n", 0, first)))).reply())
            .isInstanceOfSatisfying(TreeReply.MultiResult.class, r -> assertThat(r.committed()).isFalse());
        assertThat(tree.state().node("/n").stat().czxid()).isEqualTo(second);
        assertThat(tree.apply(new TreeOp.DeleteCreated("/n", 0, second)).reply())
            .isEqualTo(new TreeReply.Deleted("/n"));
        assertThat(tree.state().node("/n")).isNull();
    }

    @Test
    void machineVersionZeroKeepsTheOldLogicAndRefusesTheGuardedDeleteBeforeTheLog()
    {
        final TreeMachine newest = new TreeMachine("lessor", ReleaseCursorPolicy.every(64));
        final StateMachine<TreeMachineCommand, TreeState> zero = newest.machineFor(0);
        assertThat(newest.version()).isEqualTo(5);
        assertThat(newest.machineFor(5)).isSameAs(newest);

        final TreeOp.DeleteCreated guarded = new TreeOp.DeleteCreated("/n", TreeOp.ANY_VERSION, 3);
        assertThatThrownBy(() -> zero.commandCodec().toBytes(guarded)).isInstanceOf(CodecException.class)
            .hasMessageContaining("machine version 1");
        final byte[] bytes = newest.commandCodec().toBytes(new TreeCommand.Multi(List.of(guarded)));
        assertThatThrownBy(() -> zero.commandCodec().fromBytes(bytes)).isInstanceOf(CodecException.class)
            .hasMessageContaining("machine version 1");
        final TreeOp.Delete plain = new TreeOp.Delete("/n", TreeOp.ANY_VERSION);
        assertThat(zero.commandCodec().fromBytes(zero.commandCodec().toBytes(plain))).isEqualTo(plain);

        // Version 0's apply, even given one, deletes nothing with it; its other writes are unchanged.
        final MachineDriver<TreeMachineCommand, TreeState> old = new MachineDriver<>(zero, TreeMachineCommand.class);
        old.apply(new TreeOp.Create("/n", "", CreateMode.PERSISTENT, 0));
        assertThat(old.apply(new TreeOp.DeleteCreated("/n", TreeOp.ANY_VERSION, old.nextIndex() - 1)).reply())
            .isInstanceOf(TreeReply.BadArguments.class);
        assertThat(old.state().node("/n")).isNotNull();
        assertThat(old.apply(plain).reply()).isEqualTo(new TreeReply.Deleted("/n"));
    }

    @Test
    void aCreateFencedByItsParentsChildVersionIsRefusedOnceAChildCameOrWent()
    {
        tree.apply(new TreeOp.Create("/b", "", CreateMode.PERSISTENT, 0));
        final int read = tree.state().node("/").stat().cversion();
        tree.apply(new TreeOp.Delete("/b", TreeOp.ANY_VERSION));
        tree.apply(new TreeOp.Create("/b", "", CreateMode.PERSISTENT, 0));
        final TreeCommand.Multi late = new TreeCommand.Multi(List.of(new TreeOp.CheckChildren("/", read),
            new TreeOp.Create("/c", "", CreateMode.PERSISTENT, 0)));

        final TreeReply.MultiResult refused = (TreeReply.MultiResult)tree.apply(late).reply();

        assertThat(refused.committed()).isFalse();
        assertThat(refused.results().get(0)).isEqualTo(new TreeReply.BadVersion("/", read, read + 2));
        assertThat(tree.state().node("/c")).isNull();
        final int now = tree.state().node("/").stat().cversion();
        assertThat(tree.apply(new TreeCommand.Multi(List.of(new TreeOp.CheckChildren("/", now),
            new TreeOp.Create("/c", "", CreateMode.PERSISTENT, 0)))).reply())
            .isInstanceOfSatisfying(TreeReply.MultiResult.class, r -> assertThat(r.committed()).isTrue());
    }

    @Test
    void machineVersionsBeforeThreeRefuseTheChildVersionCheckBeforeTheLogAndInApply()
    {
        final TreeMachine newest = new TreeMachine("lessor", ReleaseCursorPolicy.every(64));
        final TreeCommand.Multi fenced = new TreeCommand.Multi(List.of(new TreeOp.CheckChildren("/", 0),
            new TreeOp.Create("/b", "", CreateMode.PERSISTENT, 0)));
        for (int version = 0; version < 3; version++)
        {
            final StateMachine<TreeMachineCommand, TreeState> older = newest.machineFor(version);
            assertThatThrownBy(() -> older.commandCodec().toBytes(fenced)).isInstanceOf(CodecException.class)
                .hasMessageContaining("machine version 3");
            final MachineDriver<TreeMachineCommand, TreeState> old =
                new MachineDriver<>(older, TreeMachineCommand.class);
            assertThat(old.apply(fenced).reply()).isInstanceOf(TreeReply.BadArguments.class);
            assertThat(old.state().node("/b")).isNull();
        }
        assertThat(newest.commandCodec().fromBytes(newest.commandCodec().toBytes(fenced))).isEqualTo(fenced);
        // The switch from 2 to 3 puts no expiry in force: that happened at the switch to 2.
        final MachineDriver<TreeMachineCommand, TreeState> switching =
            new MachineDriver<>(newest, TreeMachineCommand.class);
        assertThat(switching.builtin(new BuiltinCommand.MachineVersionChanged(2, 3)).effects()).isEmpty();
    }

    @Test
    void anOwnerReportedUnreachableHasItsNodeWatchedAndIsMonitoredAgainWhenItReturnsSoItsEndStillEndsItsNodes()
    {
        // The runtime forgets its monitor of a process it reported unreachable: without the node's watch nothing
        // would tell the machine when the owner's later end should delete its ephemeral nodes.
        final ProcessRef owner = new ProcessRef("app", 3);
        final long session = ((SessionReply.Granted)tree.apply(new SessionCommand.Grant(3_000, owner)).reply())
            .sessionId();
        tree.apply(new TreeOp.Create("/e", "", CreateMode.EPHEMERAL, session));

        assertThat(tree.builtin(new BuiltinCommand.Down(owner, DownReason.NOCONNECTION)).effects())
            .contains(new Effect.MonitorNode("app"));
        assertThat(tree.builtin(new BuiltinCommand.NodeUp("app")).effects()).contains(new Effect.Monitor(owner));
        tree.builtin(new BuiltinCommand.Down(owner, DownReason.NOPROC));

        assertThat(tree.state().sessions().ownedBy(owner)).isEmpty();
        assertThat(tree.state().node("/e")).isNull();
    }

    @Test
    void shouldBeDeterministicAndSurviveASnapshot()
    {
        final ProcessRef other = new ProcessRef("c2", 9);
        final List<Input> inputs = List.of(Input.of(RaftRole.LEADER), Input.of(new SessionCommand.NewLeader()),
            Input.of(new SessionCommand.Grant(1_000, other)), Input.of(new TreeOp.Create("/a", "1",
                CreateMode.PERSISTENT, 0)), Input.of(new TreeCommand.GetChildren("/a", WATCHER)),
            Input.of(new TreeCommand.AddWatch("/", other, true)),
            Input.of(new TreeOp.Create("/a/e-", "", CreateMode.EPHEMERAL_SEQUENTIAL, 3)),
            Input.of(new TreeCommand.Exists("/a/e-0000000000", WATCHER)),
            Input.of(new TreeCommand.Multi(List.of(new TreeOp.SetData("/a", "2", 0),
                new TreeOp.Create("/b", "", CreateMode.PERSISTENT_SEQUENTIAL, 0)))),
            Input.of(new TreeCommand.Multi(List.of(new TreeOp.Delete("/a", 5)))),
            Input.of(new TreeCommand.Exists("/missing", WATCHER)),
            Input.of(new NumberedWrite(new TreeOp.Create("/n-", "", CreateMode.PERSISTENT_SEQUENTIAL, 0), WATCHER,
                new CommandNumber("jvm", 1, 1))),
            Input.of(new NumberedWrite(new TreeCommand.Multi(List.of(new TreeOp.SetData("/b", "x", 0))), other,
                new CommandNumber("jvm", 2, 1))),
            Input.of(new NumberedWrite(new TreeOp.Create("/n-", "", CreateMode.PERSISTENT_SEQUENTIAL, 0), WATCHER,
                new CommandNumber("jvm", 1, 1))),
            Input.of(new NumberedWrite(new TreeOp.SetData("/missing", "", 0), WATCHER, new CommandNumber("jvm", 3, 2))),
            Input.of(new NumberedWrite(new TreeOp.Create("/late", "", CreateMode.PERSISTENT, 0), WATCHER,
                new CommandNumber("jvm", 1, 1))),
            Input.of(new BuiltinCommand.Down(other, DownReason.NORMAL)),
            Input.of(new BuiltinCommand.NodeUp("c1")), Input.of(RaftRole.LEADER),
            Input.of(new SessionCommand.NewLeader()),
            Input.of(new TreeCommand.Reregister(WATCHER, List.of(new TreeCommand.HeldWatch("/a", WatchMode.CHILD, 5),
                new TreeCommand.HeldWatch("/missing", WatchMode.EXIST, 1)))));
        for (int cut = 0; cut <= inputs.size(); cut += 4)
        {
            Determinism.check(() -> new TreeMachine("lessor", ReleaseCursorPolicy.every(3)), TreeMachineCommand.class,
                inputs, cut);
        }
    }

    private static List<TreeWatchMessage.Event> events(final ApplyResult<TreeState> result)
    {
        return result.effects().stream().filter(Effect.SendMsg.class::isInstance)
            .map(e -> (TreeWatchMessage.Event)((Effect.SendMsg)e).message()).toList();
    }
}
