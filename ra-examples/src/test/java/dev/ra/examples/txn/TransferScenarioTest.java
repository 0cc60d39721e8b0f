package dev.ra.examples.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.RaTimeoutException;
import dev.ra.ServerId;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.ToolboxCluster;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.ThreadPerTask;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two-phase transfers on a 3-node in-JVM world hosting three clusters (the coordinator and two banks), used from the
 * application node n4, which hosts no member. The coordinator's leader is killed with its driver stopped right after
 * the prepares, or right after the decision, and while transfers run.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TransferScenarioTest
{
    private static final String COORDINATOR = "coordinator";
    private static final String BANK_A = "bank-a";
    private static final String BANK_B = "bank-b";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final AccountRef ALICE = new AccountRef(BANK_A, "alice");
    private static final AccountRef BOB = new AccountRef(BANK_B, "bob");
    private static final Map<String, List<String>> ACCOUNTS = Map.of(BANK_A, List.of("alice"), BANK_B, List.of("bob"));

    private final Map<String, DriverHost> hosts = new ConcurrentHashMap<>();
    private final PausingCheckpoint checkpoint = new PausingCheckpoint();
    private final ToolboxCluster world = ToolboxCluster.start(COORDINATOR, (node, builder) ->
    {
        final ServerId local = new ServerId(COORDINATOR, node);
        final DriverHost host = new DriverHost(local, Map.of(BANK_A, members(BANK_A), BANK_B, members(BANK_B)),
            checkpoint);
        hosts.put(node, host);
        builder.registerMachine(COORDINATOR, () -> new CoordinatorMachine(local, CoordinatorMachine.DEFAULT_HANDLER,
                ReleaseCursorPolicy.every(8)))
            .registerMachine(BANK_A, () -> new ParticipantMachine(ReleaseCursorPolicy.every(8)))
            .registerMachine(BANK_B, () -> new ParticipantMachine(ReleaseCursorPolicy.every(8)))
            .modCallHandler(CoordinatorMachine.DEFAULT_HANDLER, host)
            .minSnapshotInterval(8);
    }, (node, system) -> hosts.get(node).attach(system));

    private TransferClient transfers;
    private Map<String, ParticipantClient> banks;

    @BeforeEach
    void openAccounts()
    {
        world.system("n1").startCluster(BANK_A, BANK_A, members(BANK_A));
        world.system("n1").startCluster(BANK_B, BANK_B, members(BANK_B));
        transfers = new TransferClient(world.app(), world.members());
        banks = Map.of(BANK_A, new ParticipantClient(world.app(), members(BANK_A)),
            BANK_B, new ParticipantClient(world.app(), members(BANK_B)));
        banks.get(BANK_A).deposit("alice", 100);
        banks.get(BANK_B).deposit("bob", 100);
    }

    @AfterEach
    void close()
    {
        checkpoint.releaseAll();
        hosts.values().forEach(DriverHost::close);
        world.close();
    }

    private static List<ServerId> members(final String cluster)
    {
        return ToolboxCluster.RA_NODES.stream().map(node -> new ServerId(cluster, node)).toList();
    }

    @Test
    void aClosedDriverHostStartsNoDriverForASignalThatArrivesLater()
    {
        final ServerId leader = world.awaitLeader();
        final DriverHost host = hosts.get(leader.node());
        InJvmCluster.await(() -> host.runningEpoch() > 0 ? Boolean.TRUE : null, WAIT, "the leader's driver");
        final long epoch = host.runningEpoch();

        host.close();
        // The member still leads at that epoch, so a driver started now would run with nothing left to stop it.
        host.accept(new DriverSignal(leader, epoch));

        assertThat(host.runningEpoch()).isZero();
    }

    @Test
    void shouldCommitATransferThatFitsAndAbortOnesThatCannot()
    {
        final List<TransferAudit.Attempt> attempts = new ArrayList<>();
        attempts.add(transfer(ALICE, BOB, 30));
        attempts.add(transfer(BOB, ALICE, 500));
        attempts.add(transfer(ALICE, new AccountRef(BANK_B, "nobody"), 10));
        final TransferAudit.Attempt unknownBank = transfer(ALICE, new AccountRef("no-such-bank", "carol"), 10);

        assertThat(attempts).extracting(a -> a.result().reason()).containsExactly("",
            "participant 'bank-b' voted no: account 'bob' has 130 available, the transaction debits 500",
            "participant 'bank-b' voted no: no account 'nobody'");
        assertThat(attempts).extracting(a -> a.result().committed()).containsExactly(true, false, false);
        assertThat(unknownBank.result()).extracting(TransferResult::committed, TransferResult::reason)
            .containsExactly(false, "participant 'no-such-bank' is unknown to the coordinator");
        assertThat(banks.get(BANK_A).account("alice").orElseThrow()).isEqualTo(new Account(70, 0));
        assertThat(banks.get(BANK_B).account("bob").orElseThrow()).isEqualTo(new Account(130, 0));
        TransferAudit.check(transfers, banks, ACCOUNTS, attempts, 200);
    }

    @Test
    void shouldAbortATransferWhoseCoordinatorDiedAfterThePreparesBeforeDeciding() throws Exception
    {
        checkpoint.arm(DriverCheckpoint.AFTER_PREPARE);
        final CompletableFuture<TransferAudit.Attempt> pending = CompletableFuture.supplyAsync(() ->
            transfer(ALICE, BOB, 40), ThreadPerTask.EXECUTOR);
        final String txId = checkpoint.awaitPaused(WAIT);
        assertThat(banks.get(BANK_A).status(txId)).as("alice's side prepared").isEqualTo(TxStatus.PREPARED);
        assertThat(banks.get(BANK_A).account("alice").orElseThrow()).isEqualTo(new Account(60, 40));

        world.killLeader();

        final TransferAudit.Attempt attempt = pending.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(attempt.result()).extracting(TransferResult::txId, TransferResult::committed).as("presumed abort")
            .containsExactly(txId, false);
        assertThat(attempt.result().reason()).contains("presumed abort");
        TransferAudit.check(transfers, banks, ACCOUNTS, List.of(attempt), 200);
        assertThat(banks.get(BANK_A).account("alice").orElseThrow()).isEqualTo(new Account(100, 0));
    }

    @Test
    void aTransferWhoseWaitRanOutIsAskedForAgainByItsIdAndMovesTheMoneyOnce() throws Exception
    {
        checkpoint.arm(DriverCheckpoint.AFTER_DECISION);
        final String txId = "asked-for-twice";
        assertThatThrownBy(() -> transfers.transfer(txId, ALICE, BOB, 40, Duration.ofMillis(300)))
            .isInstanceOf(RaTimeoutException.class).hasMessageContaining(txId);
        assertThat(checkpoint.awaitPaused(WAIT)).isEqualTo(txId);
        checkpoint.releaseAll();

        // What the timeout tells the caller to do: ask for the same transfer again.
        assertThat(transfers.transfer(txId, ALICE, BOB, 40, WAIT)).isEqualTo(new TransferResult(txId, true, ""));
        assertThatThrownBy(() -> transfers.transfer(txId, ALICE, BOB, 41, WAIT))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("another transfer");

        assertThat(banks.get(BANK_A).account("alice").orElseThrow()).isEqualTo(new Account(60, 0));
        assertThat(banks.get(BANK_B).account("bob").orElseThrow()).isEqualTo(new Account(140, 0));
    }

    @Test
    void shouldCommitATransferWhoseCoordinatorDiedAfterLoggingTheCommitDecision() throws Exception
    {
        checkpoint.arm(DriverCheckpoint.AFTER_DECISION);
        final CompletableFuture<TransferAudit.Attempt> pending = CompletableFuture.supplyAsync(() ->
            transfer(ALICE, BOB, 40), ThreadPerTask.EXECUTOR);
        final String txId = checkpoint.awaitPaused(WAIT);
        assertThat(transfers.transaction(txId).orElseThrow().phase()).isEqualTo(Phase.COMMITTING);
        assertThat(banks.get(BANK_B).status(txId)).as("bob's side not told yet").isEqualTo(TxStatus.PREPARED);

        world.killLeader();

        final TransferAudit.Attempt attempt = pending.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(attempt.result()).isEqualTo(new TransferResult(txId, true, ""));
        TransferAudit.check(transfers, banks, ACCOUNTS, List.of(attempt), 200);
        assertThat(banks.get(BANK_B).account("bob").orElseThrow()).isEqualTo(new Account(140, 0));
    }

    @Test
    void shouldEndEveryTransferAllOrNothingWhenTheCoordinatorLeaderIsKilledWhileTransfersRun() throws Exception
    {
        final List<CompletableFuture<List<TransferAudit.Attempt>>> clients = new ArrayList<>();
        for (int c = 0; c < 2; c++)
        {
            final boolean aliceFirst = 0 == c;
            clients.add(CompletableFuture.supplyAsync(() ->
            {
                final List<TransferAudit.Attempt> attempts = new ArrayList<>();
                for (int i = 0; i < 12; i++)
                {
                    attempts.add(aliceFirst == (i % 3 != 0) ? transfer(ALICE, BOB, 7) : transfer(BOB, ALICE, 11));
                }
                return attempts;
            }, ThreadPerTask.EXECUTOR));
        }
        InJvmCluster.await(() -> world.leader() != null &&
            banks.get(BANK_B).account("bob").orElseThrow().balance() != 100, WAIT, "transfers under way");

        final ServerId killed = world.killLeader();
        world.restartNode(killed.node());

        final List<TransferAudit.Attempt> attempts = new ArrayList<>();
        for (final CompletableFuture<List<TransferAudit.Attempt>> client : clients)
        {
            attempts.addAll(client.get(WAIT.toSeconds() * 2, TimeUnit.SECONDS));
        }
        assertThat(attempts).hasSize(24).anyMatch(a -> a.result().committed());
        TransferAudit.check(transfers, banks, ACCOUNTS, attempts, 200);
    }

    private TransferAudit.Attempt transfer(final AccountRef from, final AccountRef to, final long amount)
    {
        return new TransferAudit.Attempt(transfers.transfer(from, to, amount, WAIT), from, to);
    }
}
